package stack

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/database"
)

// newDatabase deploys the managed PostgreSQL, or the network an existing
// one's rotator needs, when the config has a database, and returns nil
// otherwise.
func newDatabase(ctx *pulumi.Context, b base) (*database.Database, error) {
	if b.cfg.Database == nil {
		return nil, nil
	}
	return database.NewDatabase(ctx, "database", &database.Args{
		Config: *b.cfg.Database, Environment: b.cfg.Environment, Strict: b.cfg.Strict(), Account: b.acct,
		StorageKeyArn: b.keys.Platform.Arn, SecretsKeyArn: b.keys.Secrets.Arn, Tags: b.tags,
		WorkloadGroups: workloadGroups(b.cfg),
	})
}

// databaseExports are the database's outputs; none without a database.
// secretsManagerEndpointUrl is the endpoint a workload in the VPC may point
// its SDK at (AWS_ENDPOINT_URL_SECRETS_MANAGER) where the endpoint has no
// private DNS; "" where the default host name reaches it.
func databaseExports(db *database.Database) Exports {
	if db == nil {
		return nil
	}
	return Exports{"databaseHost": db.Host, "databaseMasterSecretArn": db.MasterSecretArn,
		"secretsManagerEndpointUrl": db.SecretsManagerEndpointURL}
}
