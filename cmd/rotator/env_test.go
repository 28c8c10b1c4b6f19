package main

import (
	"context"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/rotation"
	"github.com/acme/secrets-platform/rotator/contract"
)

// catalog holds representative catalog entries of every strategy with every
// option the program turns into rotator settings set, as config.Parse makes
// them.
func catalog() []config.Secret {
	pw := config.Password{Length: 48, ExcludeCharacters: "/@\"' \\`"}
	rot := func(s config.Strategy) config.Rotation {
		return config.Rotation{Strategy: s, Days: 30, Window: 2 * time.Hour, GracePeriod: 90 * time.Minute}
	}
	return []config.Secret{
		{Name: "/prod/app/token", Kind: config.KindPassword, Password: pw, Rotation: rot(config.Random)},
		{Name: "/prod/app/string-token", Kind: config.KindString, Rotation: rot(config.Random)},
		{Name: "/prod/app/encryption-key", Kind: config.KindKeyring, Rotation: rot(config.Keyring),
			Keyring: config.KeyringBounds{MaxKeys: 12, RetireKeys: []string{"k1", "k20260101T000000Z-0a1b2c3d"}}},
		{Name: "/prod/app/stripe", Kind: config.KindJSON, Rotation: rot(config.HTTPKey),
			AdminSecret: "/prod/app/stripe-admin", KeyAPIBaseURL: "https://keys.example.com/v1"},
		{Name: "/prod/integrations/twilio", Kind: config.KindJSON, Rotation: rot(config.Twilio),
			AdminSecret: "/prod/integrations/twilio-admin"},
		{Name: "/prod/app/database", Kind: config.KindDatabase, Password: pw, Rotation: rot(config.PostgresSingleUser)},
		{Name: "/prod/app/database-alt", Kind: config.KindDatabase, Password: pw, Rotation: rot(config.PostgresAlternatingUsers)},
	}
}

// TestProgramAndRuntimeAgreeOnTheEnvironment fails if the program can register
// an environment variable the runtime does not read, or the runtime reads a
// production one the program cannot set. The environments are the program's
// own (rotation.Settings(...).Env()); the runtime is this command's handler
// construction, reading through a recording getenv.
func TestProgramAndRuntimeAgreeOnTheEnvironment(t *testing.T) {
	const adminARN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/app/admin-AbCdEf"
	grants := []string{"pg_read_all_data", "pg_write_all_data"}
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1") // no AWS call happens at init

	written, read := map[string]bool{}, map[string]bool{}
	var strategies []contract.Strategy
	for _, s := range catalog() {
		settings := rotation.Settings(s, adminARN, grants)
		if s.Rotation.Strategy == config.PostgresAlternatingUsers {
			// A stack with a migration login (database.migration).
			settings.Database = rotation.DatabaseLogins(config.Database{SecretName: s.Name, Username: "app", Grants: grants,
				Migration: &config.Migration{SecretName: "/prod/app/database-migrations", Username: "app_migrator"}}, s.Name)
		}
		if settings.Strategy.ReadsMasterSecret() {
			// rotation.Environment pins the instance's address once known.
			settings.Database.Host, settings.Database.Port = "db.abc.eu-west-1.rds.amazonaws.com", 5432
		}
		env, err := settings.Env()
		require.NoError(t, err, "the program's environment of %s", s.Name)
		strategies = append(strategies, contract.Strategy(s.Rotation.Strategy))
		seen := map[string]bool{}
		getenv := func(k string) string {
			seen[k], read[k] = true, true
			return env[k]
		}
		_, err = newHandler(context.Background(), getenv, io.Discard)
		require.NoError(t, err, "the runtime refuses the environment the program writes for %s", s.Name)
		for k := range env {
			written[k] = true
			if !seen[k] {
				t.Errorf("the program writes %s for %s, which the runtime never reads", k, s.Name)
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(read)) {
		if written[k] || isTestSetting(k) || strings.HasPrefix(k, "AWS_") {
			continue
		}
		t.Errorf("the runtime reads %s, which the program writes for no catalog entry (a setting without a stack-config path)", k)
	}
	assert.Subset(t, strategies, contract.Strategies(), "the catalog must hold an entry of every strategy")
}

// isTestSetting reports whether k is a contract.TestSettings variable, which
// only a rotatortest build reads and the program never writes.
func isTestSetting(k string) bool {
	return slices.Contains([]string{contract.EnvTestRootCAFile, contract.EnvTestTwilioBaseURL}, k)
}
