package stack_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/internal/rules"
	"github.com/acme/secrets-platform/rotation"
	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/stack"
)

// withMigration returns the stack with a migration login: as committed when
// its database block has one, else with a catalog secret of kind database
// beside the application's, rotated the same way, named by
// database.migration. It returns the migration secret's name.
func withMigration(t *testing.T, st mockrun.Stack) (mockrun.Stack, string) {
	t.Helper()
	var db map[string]any
	require.NoError(t, json.Unmarshal([]byte(st.Config["secrets-platform:database"]), &db))
	if m, ok := db["migration"].(map[string]any); ok {
		return st, m["secretName"].(string)
	}
	var entries []map[string]any
	require.NoError(t, json.Unmarshal([]byte(st.Config["secrets-platform:secrets"]), &entries))
	i := slices.IndexFunc(entries, func(e map[string]any) bool { return e["name"] == db["secretName"] })
	require.GreaterOrEqual(t, i, 0, "stack %s: no catalog entry for database.secretName", st.Name)
	name := db["secretName"].(string) + "-migrations"
	entries = append(entries, map[string]any{"name": name, "description": "Login that owns the application schema",
		"kind": "database", "rotation": entries[i]["rotation"]})
	db["migration"] = map[string]any{"secretName": name, "username": "app_migrator"}
	delete(db, "grants")
	for key, v := range map[string]any{"secrets": entries, "database": db} {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		st = st.With(key, string(b))
	}
	return st, name
}

// catalogShort is a catalog name's component name after "catalog-".
func catalogShort(name string) string {
	parts := strings.Split(strings.TrimPrefix(name, "/"), "/")
	return parts[1] + "-" + parts[2]
}

// TestMigrationLoginOnEveryStack: with a migration login every committed
// stack still satisfies every rule; the migration secret starts as a
// placeholder naming its own login, is rotated by a function that reads the
// master secret (the named exception, like the application's), and both
// database secrets' functions carry the same schema split.
func TestMigrationLoginOnEveryStack(t *testing.T) {
	for name, st := range stacks(t) {
		t.Run(name, func(t *testing.T) {
			st, migration := withMigration(t, st)
			rec, cfg := parsed(t, st)
			for _, v := range rules.Check(rec) {
				t.Errorf("%s", v)
			}
			d := cfg.Database
			require.NotNil(t, d.Migration)
			master := outputString(t, rec, "databaseMasterSecretArn")
			owner, user := d.SchemaSplit()
			for _, secret := range d.Secrets() {
				login, grants, _ := d.Login(secret)
				first := rotMust(t, rec, "catalog-"+catalogShort(secret)+"-first-value")
				var value map[string]any
				require.NoError(t, json.Unmarshal([]byte(first.Str("secretString")), &value))
				assert.Equal(t, login, value["username"], "the placeholder of %s names its login", secret)
				assert.Equal(t, master, value["masterarn"], "the placeholder of %s names the master secret", secret)
				assert.Contains(t, value, contract.PlaceholderKey, "%s starts as a placeholder (decision D3)", secret)
				assert.NotContains(t, value, "password", "the placeholder of %s holds a password", secret)

				comp, fn := rotServing(t, rec, secret)
				env := func(k string) string { return fn.Str("environment.variables." + k) }
				assert.Equal(t, owner, env(contract.EnvDBSchemaOwner), "%s's rotator: schema owner", secret)
				assert.Equal(t, user, env(contract.EnvDBSchemaUser), "%s's rotator: schema user", secret)
				assert.Equal(t, strings.Join(grants, ","), env(contract.EnvDBGrants), "%s's rotator: grants of its login", secret)
				var policy iam.Document
				require.NoError(t, rotMust(t, rec, comp+"-policy").JSON("policy", &policy))
				reads := slices.ContainsFunc(policy.Statement, func(s iam.Statement) bool {
					return s.Sid == rotation.SidReadMasterSecret && slices.Equal(s.Resource, iam.Strings{master}) &&
						slices.Equal(s.Action, iam.Strings{"secretsmanager:GetSecretValue"})
				})
				assert.True(t, reads, "the rotator of %s reads the master secret, GetSecretValue only", secret)
			}
			assert.Equal(t, "app_migrator", d.Migration.Username)
			assert.Equal(t, migration, d.Migration.SecretName)
		})
	}
}

// TestMigrationConfigRefusedBeforeAnythingIsRegistered: a migration login
// that would not split anything fails the config, naming the key, the value
// and what is allowed, and registers nothing.
func TestMigrationConfigRefusedBeforeAnythingIsRegistered(t *testing.T) {
	prod, err := mockrun.LoadStack("..", "prod")
	require.NoError(t, err)
	prod, migration := withMigration(t, prod)
	migrationBlock := func(m map[string]any) func(t *testing.T) mockrun.Stack {
		return func(t *testing.T) mockrun.Stack { return editDatabase(t, prod, "migration", m) }
	}
	cases := []struct {
		name  string
		stack func(t *testing.T) mockrun.Stack
		want  []string
	}{
		{"a secret that is not of kind database", migrationBlock(map[string]any{"secretName": "/prod/app/stripe"}),
			[]string{`database.migration.secretName = "/prod/app/stripe"`, "a catalog secret of kind database"}},
		{"the application's secret", migrationBlock(map[string]any{"secretName": "/prod/app/database"}),
			[]string{`database.migration.secretName = "/prod/app/database"`, "credentials of its own"}},
		{"the application's login", migrationBlock(map[string]any{"secretName": migration, "username": "app"}),
			[]string{`database.migration.username = "app"`, "a login other than the application's app"}},
		{"the master's login", migrationBlock(map[string]any{"secretName": migration, "username": "dbadmin"}),
			[]string{`database.migration.username = "dbadmin"`, "the master user dbadmin"}},
		{"the migration login granted to the application", func(t *testing.T) mockrun.Stack {
			return editDatabase(t, prod, "grants", []string{"app_migrator"})
		}, []string{`database.grants[0] = "app_migrator"`, "the application would own the schema"}},
		{"the migration secret left out of the catalog", func(t *testing.T) mockrun.Stack {
			return editSecrets(t, prod, func(es []map[string]any) []map[string]any {
				return slices.DeleteFunc(es, func(e map[string]any) bool { return e["name"] == migration })
			})
		}, []string{`database.migration.secretName = "` + migration + `"`, "a catalog secret of kind database"}},
		{"a database secret without a migration block", func(t *testing.T) mockrun.Stack {
			var db map[string]any
			require.NoError(t, json.Unmarshal([]byte(prod.Config["secrets-platform:database"]), &db))
			delete(db, "migration")
			b, err := json.Marshal(db)
			require.NoError(t, err)
			return prod.With("database", string(b))
		}, []string{`.kind = "database"`, "database.migration.secretName"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := mockrun.Run(tc.stack(t), stack.Compose)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.ErrorContains(t, err, w)
			}
			assert.Empty(t, rec.Resources, "got %d resources registered, want none before config is valid", len(rec.Resources))
		})
	}
}
