// Command rotator is the Secrets Manager rotation Lambda: thin wiring around
// rotation/engine and the strategy named by ROTATION_STRATEGY. Build it for
// the provided.al2023 runtime as `bootstrap`:
//
//	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -ldflags="-s -w -buildid=" -o bootstrap ./cmd/rotator
//
// Environment:
//
//	ROTATION_STRATEGY     required: which strategy rotates this function's
//	                      secrets; one of the keys in strategies.go (random,
//	                      keyring, ...). Each strategy reads its own variables,
//	                      documented in its package (RANDOM_* in
//	                      rotation/strategy/random, KEYRING_* in
//	                      rotation/strategy/keyring).
//	ROTATION_LOG_LEVEL    optional: debug, info (default), warn or error.
//	ROTATION_HTTP_TIMEOUT optional: timeout of the HTTP client that strategies
//	                      use for third-party APIs, as a Go duration; default 10s.
//
// AWS configuration is the SDK's standard one, so nothing here is specific to
// a region or an endpoint: AWS_REGION (set by Lambda), the execution role's
// credentials (set by Lambda), and for tests AWS_ENDPOINT_URL or
// AWS_ENDPOINT_URL_SECRETS_MANAGER to point the client at an emulator.
//
// Logs are JSON lines on stdout (CloudWatch Logs) and carry steps, the secret
// ARN and version ids, never a secret value.
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
