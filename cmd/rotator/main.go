// Command rotator is the Secrets Manager rotation Lambda, thin wiring from its
// environment to one rotation strategy.
//
// Build it for the provided.al2023 runtime as `bootstrap` (rotation/artifact
// does, with exactly these flags and no other build tag):
//
//	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -ldflags="-s -w -buildid=" -o bootstrap ./cmd/rotator
//
// Environment, read only through rotator/contract (contract.FromEnv), which
// the Pulumi program writes through contract.Settings.Env from stack config:
//
//	ROTATION_STRATEGY            required: random, keyring, http, twilio,
//	                             postgres-single-user or postgres-alternating-users
//	PASSWORD_LENGTH              random, postgres-*: generated length, 16-128 (config 20-128); default 32
//	PASSWORD_EXCLUDE_CHARACTERS  random, postgres-*: characters never generated; default / @ " ' \ ` and space
//	                             (postgres-* always exclude / @ " and space, which RDS refuses)
//	KEYRING_MAX_KEYS             keyring: most keys the ring holds, 2-64; default 10
//	KEYRING_RETIRE_KEYS          keyring: comma-separated key ids the next rotation drops
//	KEY_API_BASE_URL             http (required): the key-management contract's https base URL
//	ADMIN_SECRET_ARN             http, twilio (required): the secret holding the provider credential
//	GRACE_PERIOD                 http, twilio: how long a replaced key stays valid, a Go duration; default 1h
//	DB_GRANTS                    postgres-*: comma-separated roles granted to login roles the master creates
//	DB_HOST, DB_PORT             postgres-* (required): the instance's address and port, the only server the
//	                             rotator connects to; a secret that names another is refused before any connection
//
// A variable of another strategy is refused at start, as is a malformed one:
// the init phase fails, which Secrets Manager reports as a failed rotation.
// Logs are JSON lines at level info; third-party calls time out after 10 s,
// database logins after 5 s. Database logins verify the server against the
// RDS certificate authorities embedded in the binary (rotator/strategy/
// postgres/rdsca) and the pinned host name, and accept SCRAM-SHA-256 only.
// A keyring rotator writes its KeyringFreeSlots metric to the same output in
// CloudWatch's embedded metric format, dimensioned by AWS_LAMBDA_FUNCTION_NAME
// (which Lambda sets).
//
// Test-only settings (contract.TestSettings: ROTATOR_TEST_ROOT_CA_FILE, a CA
// bundle that replaces the embedded RDS authorities to verify the tests'
// PostgreSQL; ROTATOR_TEST_TWILIO_BASE_URL, a
// Twilio stand-in) are read only by a binary built with the rotatortest build
// tag. The deployed build ignores them, so whoever can edit a function's
// environment cannot choose where a credential goes.
//
// AWS configuration is the SDK's standard one, so nothing here is specific to
// a region or an endpoint: AWS_REGION (set by Lambda), the execution role's
// credentials (set by Lambda), and AWS_ENDPOINT_URL_SECRETS_MANAGER or
// AWS_ENDPOINT_URL to point the client at another endpoint (moto, in tests).
//
// Logs carry steps, the secret ARN and version ids, never a secret value.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	ctx := context.Background()
	h, err := newHandler(ctx, os.Getenv, os.Stdout)
	if err != nil {
		// Exiting fails the Lambda's init phase, which Secrets Manager reports
		// as a failed rotation: better than rotating with a wrong setup.
		slog.New(slog.NewJSONHandler(os.Stderr, nil)).Error("rotator init", "err", err.Error())
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}
