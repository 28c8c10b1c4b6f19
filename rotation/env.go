package rotation

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/config"
)

// EnvStrategy is the variable cmd/rotator selects its strategy by.
const EnvStrategy = "ROTATION_STRATEGY"

// Variables named by the strategy packages' doc comments. They are repeated
// here, not imported, so the Pulumi program does not link the strategies'
// clients (pgx, HTTP); the tests compare them with the packages' constants.
const (
	envHTTPBaseURL        = "HTTPKEY_BASE_URL"
	envHTTPAdminSecret    = "HTTPKEY_ADMIN_SECRET_ARN"
	envTwilioAdminSecret  = "TWILIO_ADMIN_SECRET_ARN"
	envGracePeriod        = "GRACE_PERIOD"
	envDBGrants           = "DB_GRANTS"
	envPasswordLength     = "PASSWORD_LENGTH"
	envExcludeCharacters  = "EXCLUDE_CHARACTERS"
	envRandomLength       = "RANDOM_LENGTH"
	envRandomExcludeChars = "RANDOM_EXCLUDE_CHARACTERS"
)

// EnvArgs is what a rotator's environment is made of.
type EnvArgs struct {
	// Secret is the catalog entry under rotation. Required.
	Secret config.Secret
	// AdminSecretArn is the provider credential's secret (http, twilio).
	AdminSecretArn pulumi.StringInput
	// DatabaseGrants are granted to roles the postgres strategies create.
	DatabaseGrants []string
}

// Environment is the function's environment: ROTATION_STRATEGY and the
// variables its strategy reads. No value in it is secret (ARNs, URLs,
// lengths), and it is encrypted with the platform key all the same.
//
// AWS_ENDPOINT_URL_SECRETS_MANAGER is never set: the database VPC's Secrets
// Manager endpoint has private DNS, so the default URL already resolves to it
// from the rotator's subnets.
func Environment(a EnvArgs) (pulumi.StringMap, error) {
	s := a.Secret
	env := pulumi.StringMap{EnvStrategy: pulumi.String(string(s.Rotation.Strategy))}
	grace := func() {
		if s.Rotation.GracePeriod > 0 {
			env[envGracePeriod] = pulumi.String(s.Rotation.GracePeriod.String())
		}
	}
	switch s.Rotation.Strategy {
	case config.Random:
		if s.Password.Length > 0 {
			env[envRandomLength] = pulumi.String(strconv.Itoa(s.Password.Length))
		}
		if s.Password.ExcludeCharacters != "" {
			env[envRandomExcludeChars] = pulumi.String(s.Password.ExcludeCharacters)
		}
	case config.Keyring:
		// The key ring strategy has no settings.
	case config.HTTPKey:
		if a.AdminSecretArn == nil || s.KeyAPIBaseURL == "" {
			return nil, fmt.Errorf("rotator environment of %s: the http strategy needs an admin secret and keyApiBaseUrl", s.Name)
		}
		env[envHTTPBaseURL] = pulumi.String(s.KeyAPIBaseURL)
		env[envHTTPAdminSecret] = a.AdminSecretArn
		grace()
	case config.Twilio:
		if a.AdminSecretArn == nil {
			return nil, fmt.Errorf("rotator environment of %s: the twilio strategy needs an admin secret", s.Name)
		}
		env[envTwilioAdminSecret] = a.AdminSecretArn
		grace()
	case config.PostgresSingleUser, config.PostgresAlternatingUsers:
		if len(a.DatabaseGrants) > 0 {
			env[envDBGrants] = pulumi.String(strings.Join(a.DatabaseGrants, ","))
		}
		if s.Password.Length > 0 {
			env[envPasswordLength] = pulumi.String(strconv.Itoa(s.Password.Length))
		}
		if s.Password.ExcludeCharacters != "" {
			env[envExcludeCharacters] = pulumi.String(s.Password.ExcludeCharacters)
		}
	default:
		return nil, fmt.Errorf("rotator environment of %s: strategy %q has no Go rotator", s.Name, s.Rotation.Strategy)
	}
	return env, nil
}
