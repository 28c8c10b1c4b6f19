package rotation_test

import (
	"context"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/rotation"
	"github.com/acme/secrets-platform/rotator/contract"
)

// TestDatabaseLoginsSplitTheSchema: each of the database's secrets gets its
// own login's grants and both get the schema split, which the environment
// carries through the contract for the runtime to read back.
func TestDatabaseLoginsSplitTheSchema(t *testing.T) {
	db := config.Database{SecretName: "/p/app/database", Username: "app", Grants: []string{"pg_read_all_data"},
		Migration: &config.Migration{SecretName: "/p/app/database-migrations", Username: "app_migrator"}}
	split := contract.SchemaLogins{Owner: "app_migrator", User: "app"}
	assert.Equal(t, contract.Logins{Grants: []string{"pg_read_all_data"}, Schema: split}, rotation.DatabaseLogins(db, db.SecretName))
	assert.Equal(t, contract.Logins{Schema: split}, rotation.DatabaseLogins(db, db.Migration.SecretName), "the migration login gets no role")
	db.Migration = nil
	assert.Equal(t, contract.Logins{Grants: []string{"pg_read_all_data"}}, rotation.DatabaseLogins(db, db.SecretName), "no split without a migration login")

	rot := func(st config.Strategy) config.Rotation { return config.Rotation{Strategy: st} }
	app := config.Secret{Name: "/p/app/database", Rotation: rot(config.PostgresAlternatingUsers)}
	plan := rotation.PlanSettings(app, contract.Logins{Grants: []string{"g"}, Schema: split})
	assert.Equal(t, split, plan.Database.Schema, "a postgres secret's plan carries the split")
	token := config.Secret{Name: "/p/app/token", Rotation: rot(config.Random)}
	assert.Equal(t, contract.Logins{}, rotation.PlanSettings(token, contract.Logins{Schema: split}).Database, "only postgres strategies read database settings")

	out, err := rotation.Environment(rotation.EnvArgs{Secret: app, DatabaseSchema: split,
		DatabaseHost: pulumi.String("db.abc.eu-west-1.rds.amazonaws.com"), DatabasePort: pulumi.Int(5432)})
	require.NoError(t, err)
	res, err := internals.UnsafeAwaitOutput(context.Background(), out)
	require.NoError(t, err)
	env := res.Value.(map[string]string)
	assert.Equal(t, "app_migrator", env[contract.EnvDBSchemaOwner])
	assert.Equal(t, "app", env[contract.EnvDBSchemaUser])
	back, err := contract.FromEnv(func(k string) string { return env[k] })
	require.NoError(t, err, "the runtime accepts what the program writes")
	assert.Equal(t, split, back.Database.Schema)

	_, err = rotation.Environment(rotation.EnvArgs{Secret: app, DatabaseSchema: contract.SchemaLogins{Owner: "app", User: "app"},
		DatabaseHost: pulumi.String("db.abc.eu-west-1.rds.amazonaws.com"), DatabasePort: pulumi.Int(5432)})
	assert.ErrorContains(t, err, "want two different roles", "a split the runtime would refuse fails the program")
}
