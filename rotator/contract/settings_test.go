package contract_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/rotator/contract"
)

// everySetting holds, per strategy, settings with every field it may have set.
func everySetting() map[contract.Strategy]contract.Settings {
	shape := contract.PasswordShape{Length: 40, ExcludeCharacters: `/@" `}
	return map[contract.Strategy]contract.Settings{
		contract.Random:  {Strategy: contract.Random, Password: shape},
		contract.Keyring: {Strategy: contract.Keyring, Keyring: contract.Ring{MaxKeys: 12, Retire: []string{"k1", "k2"}}},
		contract.HTTPKey: {Strategy: contract.HTTPKey, KeyAPI: contract.KeyAPI{
			BaseURL: "https://keys.example.com/v1", AdminSecretARN: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/x/admin-AbCdEf", Grace: 90 * time.Minute}},
		contract.Twilio: {Strategy: contract.Twilio, KeyAPI: contract.KeyAPI{
			AdminSecretARN: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/x/twilio-admin-AbCdEf", Grace: time.Hour}},
		contract.PostgresSingleUser: {Strategy: contract.PostgresSingleUser, Password: shape,
			Database: contract.Logins{Grants: []string{"pg_read_all_data"}, Host: "db.abc.eu-west-1.rds.amazonaws.com", Port: 5432}},
		contract.PostgresAlternatingUsers: {Strategy: contract.PostgresAlternatingUsers, Password: shape,
			Database: contract.Logins{Grants: []string{"pg_read_all_data", "pg_write_all_data"}, Host: "db.abc.eu-west-1.rds.amazonaws.com", Port: 6543,
				// A stack with a migration login.
				Schema: contract.SchemaLogins{Owner: "app_migrator", User: "app"}},
			// A rotator in a shared VPC whose endpoint has no private DNS.
			SecretsManagerEndpoint: "https://vpce-0a1b2c3d4e5f60710-ab12cd34.secretsmanager.eu-west-1.vpce.amazonaws.com"},
	}
}

func TestSettingsRoundTripForEveryStrategy(t *testing.T) {
	all := everySetting()
	require.Len(t, all, len(contract.Strategies()), "a strategy has no round-trip case")
	for _, st := range contract.Strategies() {
		t.Run(string(st), func(t *testing.T) {
			want := all[st]
			env, err := want.Env()
			require.NoError(t, err)
			got, err := contract.FromEnv(func(k string) string { return env[k] })
			require.NoError(t, err)
			assert.Equal(t, want, got, "got %+v after Env and FromEnv, want %+v", got, want)
		})
	}
}

func TestSettingsRefuseWhatTheStrategyDoesNotRead(t *testing.T) {
	tests := []struct {
		name string
		s    contract.Settings
		want string
	}{
		{"unknown strategy", contract.Settings{Strategy: "manual"}, "want one of random, keyring"},
		{"no strategy", contract.Settings{}, "ROTATION_STRATEGY"},
		{"keyring with a password shape", contract.Settings{Strategy: contract.Keyring, Password: contract.PasswordShape{Length: 32}}, "Password is not its setting"},
		{"random with a ring", contract.Settings{Strategy: contract.Random, Keyring: contract.Ring{Retire: []string{"k1"}}}, "Keyring is not its setting"},
		{"twilio with a base URL", contract.Settings{Strategy: contract.Twilio, KeyAPI: contract.KeyAPI{BaseURL: "https://x", AdminSecretARN: "arn:x"}}, "KeyAPI.BaseURL is not its setting"},
		{"random with grants", contract.Settings{Strategy: contract.Random, Database: contract.Logins{Grants: []string{"x"}}}, "Database is not its setting"},
		{"http without its admin secret", contract.Settings{Strategy: contract.HTTPKey, KeyAPI: contract.KeyAPI{BaseURL: "https://x"}}, "ADMIN_SECRET_ARN is required"},
		{"http without its base URL", contract.Settings{Strategy: contract.HTTPKey, KeyAPI: contract.KeyAPI{AdminSecretARN: "arn:x"}}, "KEY_API_BASE_URL is required"},
		{"negative grace", contract.Settings{Strategy: contract.Twilio, KeyAPI: contract.KeyAPI{AdminSecretARN: "arn:x", Grace: -time.Minute}}, "positive duration"},
		{"an endpoint in plain text", contract.Settings{Strategy: contract.Random, SecretsManagerEndpoint: "http://vpce-1.secretsmanager.eu-west-1.vpce.amazonaws.com"}, "AWS_ENDPOINT_URL_SECRETS_MANAGER"},
		{"an endpoint with a path", contract.Settings{Strategy: contract.Random, SecretsManagerEndpoint: "https://proxy.example.com/secrets"}, "want https://<host>"},
		{"postgres without its host", contract.Settings{Strategy: contract.PostgresSingleUser, Database: contract.Logins{Port: 5432}}, "DB_HOST is required"},
		{"postgres without its port", contract.Settings{Strategy: contract.PostgresAlternatingUsers, Database: contract.Logins{Host: "db.internal"}}, "DB_PORT 0: want a TCP port"},
		{"postgres host that injects a setting", contract.Settings{Strategy: contract.PostgresSingleUser, Database: contract.Logins{Host: "db sslmode=disable", Port: 5432}}, "want a host name"},
		{"random with a schema split", contract.Settings{Strategy: contract.Random, Database: contract.Logins{Schema: contract.SchemaLogins{Owner: "app_migrator", User: "app"}}}, "Database is not its setting"},
		{"a schema owner without its user", contract.Settings{Strategy: contract.PostgresSingleUser, Database: contract.Logins{Host: "db.internal", Port: 5432,
			Schema: contract.SchemaLogins{Owner: "app_migrator"}}}, `DB_SCHEMA_USER ""`},
		{"one role on both sides", contract.Settings{Strategy: contract.PostgresSingleUser, Database: contract.Logins{Host: "db.internal", Port: 5432,
			Schema: contract.SchemaLogins{Owner: "app", User: "app"}}}, "want two different roles"},
		{"a schema owner that injects SQL", contract.Settings{Strategy: contract.PostgresAlternatingUsers, Database: contract.Logins{Host: "db.internal", Port: 5432,
			Schema: contract.SchemaLogins{Owner: `x"; DROP ROLE app; --`, User: "app"}}}, "want a lowercase PostgreSQL role name"},
		{"a schema owner with no room for its clone", contract.Settings{Strategy: contract.PostgresAlternatingUsers, Database: contract.Logins{Host: "db.internal", Port: 5432,
			Schema: contract.SchemaLogins{Owner: strings.Repeat("m", 58), User: "app"}}}, "at most 57 bytes"},
		{"keyring with a database host", contract.Settings{Strategy: contract.Keyring, Database: contract.Logins{Host: "db.internal"}}, "Database is not its setting"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.s.Env()
			require.Error(t, err)
			assert.ErrorContains(t, err, tt.want)
		})
	}
}

func TestFromEnvRefusesMalformedValues(t *testing.T) {
	tests := map[string]struct {
		env  map[string]string
		want string
	}{
		"length not a number":            {map[string]string{contract.EnvStrategy: "random", contract.EnvPasswordLength: "long"}, "PASSWORD_LENGTH \"long\""},
		"grace not a duration":           {map[string]string{contract.EnvStrategy: "twilio", contract.EnvAdminSecretARN: "arn:x", contract.EnvGracePeriod: "an hour"}, "GRACE_PERIOD \"an hour\""},
		"a variable of another strategy": {map[string]string{contract.EnvStrategy: "random", contract.EnvDBGrants: "pg_read_all_data"}, "Database is not its setting"},
		"port not a number":              {map[string]string{contract.EnvStrategy: "postgres-single-user", contract.EnvDBHost: "db.internal", contract.EnvDBPort: "pg"}, "DB_PORT \"pg\""},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := contract.FromEnv(func(k string) string { return tt.env[k] })
			require.Error(t, err)
			assert.ErrorContains(t, err, tt.want)
		})
	}
}
