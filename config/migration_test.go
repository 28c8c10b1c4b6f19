package config

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// migrationCatalog is a catalog with the application's and the migration
// login's database secrets and one other secret.
const migrationCatalog = `[
	{"name":"/dev/app/database","description":"d","kind":"database"},
	{"name":"/dev/app/database-migrations","description":"d","kind":"database","rotation":{"strategy":"postgres-single-user"}},
	{"name":"/dev/app/session","description":"d","kind":"password"}
]`

// withDatabase returns raw config with the catalog and the database block
// edited by edit.
func withDatabase(t *testing.T, catalog string, edit func(db map[string]any)) Raw {
	t.Helper()
	db := map[string]any{
		"secretName": "/dev/app/database",
		"migration":  map[string]any{"secretName": "/dev/app/database-migrations", "username": "app_migrator"},
	}
	if edit != nil {
		edit(db)
	}
	b, err := json.Marshal(db)
	require.NoError(t, err)
	return raw(map[string]string{"secrets-platform:secrets": catalog, "secrets-platform:database": string(b)})
}

func TestMigrationLogin(t *testing.T) {
	c, err := Parse(withDatabase(t, migrationCatalog, func(db map[string]any) {
		db["migration"] = map[string]any{"secretName": "/dev/app/database-migrations"}
	}))
	require.NoError(t, err)
	d := c.Database
	require.NotNil(t, d.Migration)
	assert.Equal(t, Migration{SecretName: "/dev/app/database-migrations", Username: "app_migrator"}, *d.Migration, "username defaults to <database.username>_migrator")
	assert.Empty(t, d.Grants, "with a migration login the application gets its DML from default privileges, no role")
	assert.Equal(t, []string{"/dev/app/database", "/dev/app/database-migrations"}, d.Secrets())
	assert.True(t, d.Holds("/dev/app/database-migrations"))
	assert.False(t, d.Holds("/dev/app/session"))
	owner, user := d.SchemaSplit()
	assert.Equal(t, [2]string{"app_migrator", "app"}, [2]string{owner, user}, "schema split (owner, user)")
	for name, want := range map[string]string{"/dev/app/database": "app", "/dev/app/database-migrations": "app_migrator"} {
		got, grants, ok := d.Login(name)
		assert.True(t, ok, "%s is a login of the database", name)
		assert.Equal(t, want, got, "login of %s", name)
		assert.Empty(t, grants, "grants of %s", name)
	}
	_, _, ok := d.Login("/dev/app/session")
	assert.False(t, ok, "a password secret is no login of the database")

	// Grants the stack sets stay the application's; the migration login
	// gets none.
	c, err = Parse(withDatabase(t, migrationCatalog, func(db map[string]any) { db["grants"] = []string{"pg_read_all_data"} }))
	require.NoError(t, err)
	_, grants, _ := c.Database.Login("/dev/app/database")
	assert.Equal(t, []string{"pg_read_all_data"}, grants)
	_, grants, _ = c.Database.Login("/dev/app/database-migrations")
	assert.Empty(t, grants)

	// Without a migration login nothing changes.
	c, err = Parse(raw(map[string]string{
		"secrets-platform:secrets":  `[{"name":"/dev/app/database","description":"d","kind":"database"}]`,
		"secrets-platform:database": `{"secretName":"/dev/app/database"}`,
	}))
	require.NoError(t, err)
	assert.Nil(t, c.Database.Migration)
	assert.Equal(t, []string{"pg_read_all_data", "pg_write_all_data"}, c.Database.Grants)
	owner, user = c.Database.SchemaSplit()
	assert.Empty(t, owner+user, "no schema split without a migration login")
}

func TestMigrationLoginRefusals(t *testing.T) {
	long := strings.Repeat("m", 58)
	cases := []struct {
		name    string
		catalog string
		edit    func(db map[string]any)
		// want are substrings of the one error: key, value, what is allowed.
		want []string
	}{
		{"secret not in the catalog", migrationCatalog, func(db map[string]any) {
			db["migration"] = map[string]any{"secretName": "/dev/app/nope"}
		}, []string{`database.migration.secretName = "/dev/app/nope"`, "a catalog secret of kind database other than the application's /dev/app/database"}},
		{"secret of another kind", migrationCatalog, func(db map[string]any) {
			db["migration"] = map[string]any{"secretName": "/dev/app/session"}
		}, []string{`database.migration.secretName = "/dev/app/session"`, "kind database"}},
		{"the application's own secret", migrationCatalog, func(db map[string]any) {
			db["migration"] = map[string]any{"secretName": "/dev/app/database"}
		}, []string{`database.migration.secretName = "/dev/app/database"`, "credentials of its own"}},
		{"the application's login", migrationCatalog, func(db map[string]any) {
			db["migration"] = map[string]any{"secretName": "/dev/app/database-migrations", "username": "app"}
		}, []string{`database.migration.username = "app"`, "a login other than the application's app, its clone app_clone and the master user dbadmin"}},
		{"the application's clone", migrationCatalog, func(db map[string]any) {
			db["migration"] = map[string]any{"secretName": "/dev/app/database-migrations", "username": "app_clone"}
		}, []string{`database.migration.username = "app_clone"`, "not ending in _clone"}},
		{"the master", migrationCatalog, func(db map[string]any) {
			db["migration"] = map[string]any{"secretName": "/dev/app/database-migrations", "username": "dbadmin"}
		}, []string{`database.migration.username = "dbadmin"`, "the master user dbadmin"}},
		{"not an identifier", migrationCatalog, func(db map[string]any) {
			db["migration"] = map[string]any{"secretName": "/dev/app/database-migrations", "username": "App-Migrator"}
		}, []string{`database.migration.username = "App-Migrator"`, "a lowercase PostgreSQL identifier"}},
		{"no room for the clone", migrationCatalog, func(db map[string]any) {
			db["migration"] = map[string]any{"secretName": "/dev/app/database-migrations", "username": long}
		}, []string{`database.migration.username = "` + long + `"`, "at most 57 bytes"}},
		{"the migration login granted to the application", migrationCatalog, func(db map[string]any) {
			db["grants"] = []string{"pg_read_all_data", "app_migrator_clone"}
		}, []string{`database.grants[1] = "app_migrator_clone"`, "a role other than the migration login app_migrator and its clone"}},
		{"the application granted to itself", migrationCatalog, func(db map[string]any) {
			db["grants"] = []string{"app"}
		}, []string{`database.grants[0] = "app"`, "the application's own login"}},
		{"a misspelt field", migrationCatalog, func(db map[string]any) {
			db["migration"] = map[string]any{"secretName": "/dev/app/database-migrations", "user": "app_migrator"}
		}, []string{`secrets-platform:database`, `unknown field "user"`}},
		{"a database secret nothing names", `[
			{"name":"/dev/app/database","description":"d","kind":"database"},
			{"name":"/dev/app/database-migrations","description":"d","kind":"database"},
			{"name":"/dev/app/database-reports","description":"d","kind":"database"}
		]`, nil, []string{`secrets-platform:secrets[2].kind = "database"`, "only as secrets-platform:database.secretName or secrets-platform:database.migration.secretName"}},
		{"a second database secret without a migration login", migrationCatalog, func(db map[string]any) { delete(db, "migration") },
			[]string{`secrets-platform:secrets[1].kind = "database"`, "migration.secretName"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(withDatabase(t, tc.catalog, tc.edit))
			require.Error(t, err)
			for _, w := range tc.want {
				assert.ErrorContains(t, err, w)
			}
		})
	}
}

// TestMigrationSecretReadersNeedTheDatabase: a workload that reads only the
// migration login's secret is a database reader like one that reads the
// application's: it needs a network path, gets a group in a VPC the stack
// creates, and the migration login's rotation waits for owners' changes as
// the application's does.
func TestMigrationSecretReadersNeedTheDatabase(t *testing.T) {
	existingVPC := map[string]any{"vpcId": "vpc-0a1b2c3d4e5f60700",
		"subnetIds":              []string{"subnet-0a1b2c3d4e5f60701", "subnet-0a1b2c3d4e5f60702"},
		"secretsManagerEndpoint": map[string]any{"mode": "existing", "id": "vpce-0a1b2c3d4e5f60710"}}
	migrate := `[{"name":"migrate","type":"ecs","secrets":["/dev/app/database-migrations"]}]`

	r := withDatabase(t, migrationCatalog, func(db map[string]any) { db["network"] = existingVPC })
	r.Values["secrets-platform:workloads"] = migrate
	_, err := Parse(r)
	require.Error(t, err, "a reader of the migration secret with no path to the database")
	assert.ErrorContains(t, err, `secrets-platform:workloads[0].secrets[0] = "/dev/app/database-migrations": a secret this workload can use`)

	r = withDatabase(t, migrationCatalog, func(db map[string]any) {
		db["network"] = existingVPC
		db["workloadSecurityGroupIds"] = []string{"sg-0a1b2c3d4e5f60718"}
	})
	r.Values["secrets-platform:workloads"] = migrate
	c, err := Parse(r)
	require.NoError(t, err)
	assert.True(t, c.ReadsDatabase(c.Workloads[0]), "the migration job reads the database")
	for _, name := range c.Database.Secrets() {
		s, _ := c.Secret(name)
		waitsFor, waiting := c.AwaitingPrerequisite(s)
		assert.True(t, waiting, "%s: rotation waits for the endpoint owner's rule", name)
		assert.Equal(t, OwnerChangesPrerequisite, waitsFor, name)
	}

	r = withDatabase(t, migrationCatalog, nil)
	r.Values["secrets-platform:workloads"] = migrate
	c, err = Parse(r)
	require.NoError(t, err)
	assert.True(t, c.WorkloadGroup(c.Workloads[0]), "in a VPC the stack creates the migration job gets a group of its own")
}
