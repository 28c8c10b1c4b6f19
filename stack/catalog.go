package stack

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/database"
	"github.com/acme/secrets-platform/secrets"
)

// newCatalog deploys every secret of the catalog; a database secret takes its
// connection fields from the instance and its login role from
// database.username or database.migration.username.
func newCatalog(ctx *pulumi.Context, b base, db *database.Database) (*secrets.Catalog, error) {
	var conn *secrets.DatabaseConnection
	if db != nil {
		conn = &secrets.DatabaseConnection{
			Host: db.Host, Port: db.Port, DBName: b.cfg.Database.DBName,
			Usernames: map[string]string{}, MasterSecretArn: db.MasterSecretArn,
		}
		for _, name := range b.cfg.Database.Secrets() {
			conn.Usernames[name], _, _ = b.cfg.Database.Login(name)
		}
	}
	return secrets.NewCatalog(ctx, "catalog", &secrets.CatalogArgs{
		Environment: b.cfg.Environment, Entries: b.cfg.Secrets, KmsKeyArn: b.keys.Secrets.Arn,
		Protect: b.cfg.Protection.Protect, Tags: b.tags, Database: conn,
		ReplicaKeyArns: b.keys.replicaArns(),
	})
}

func catalogExports(catalog *secrets.Catalog) Exports {
	return Exports{"secretArns": catalog.Arns}
}
