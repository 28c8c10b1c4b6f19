package stack

import (
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/database"
	"github.com/acme/secrets-platform/secrets"
)

// Exports are the stack outputs, by name.
type Exports = map[string]pulumi.Input

// Program is what `pulumi up` runs: Compose, then export every output.
func Program(ctx *pulumi.Context) error {
	exports, err := Compose(ctx)
	if err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(exports)) {
		ctx.Export(name, exports[name])
	}
	return nil
}

// Compose validates the config and registers every resource of the stack.
// Bad config returns before anything is registered.
func Compose(ctx *pulumi.Context) (Exports, error) {
	cfg, err := config.Load(ctx)
	if err != nil {
		return nil, err
	}
	acct, err := lookupAccount(ctx)
	if err != nil {
		return nil, err
	}
	tags := map[string]string{"Environment": cfg.Environment, "ManagedBy": "pulumi", "PulumiStack": cfg.Stack}

	keys, err := newKeys(ctx, cfg, acct, tags)
	if err != nil {
		return nil, err
	}
	exports := Exports{
		"secretsKeyArn":    keys.Secrets.Arn,
		"secretsKeyAlias":  keys.Secrets.AliasName,
		"platformKeyArn":   keys.Platform.Arn,
		"platformKeyAlias": keys.Platform.AliasName,
	}

	var conn *secrets.DatabaseConnection
	var db *database.Database
	if cfg.Database != nil {
		db, err = database.NewDatabase(ctx, "database", &database.DatabaseArgs{
			Config: *cfg.Database, Environment: cfg.Environment, Strict: cfg.Strict(),
			Partition: acct.Partition, DNSSuffix: acct.DNSSuffix, Region: cfg.Region, AccountID: acct.ID,
			StorageKeyArn: keys.Platform.Arn, SecretsKeyArn: keys.Secrets.Arn, Tags: tags,
		})
		if err != nil {
			return nil, err
		}
		conn = &secrets.DatabaseConnection{
			Host: db.Host, Port: db.Port, DBName: cfg.Database.DBName,
			Username: cfg.Database.Username, MasterSecretArn: db.MasterSecretArn,
		}
		exports["databaseHost"] = db.Host
		exports["databaseMasterSecretArn"] = db.MasterSecretArn
	}

	catalog, err := secrets.NewCatalog(ctx, "catalog", &secrets.CatalogArgs{
		Environment: cfg.Environment, Entries: cfg.Secrets, KmsKeyArn: keys.Secrets.Arn,
		Protect: cfg.Protection.Protect, Tags: tags, Database: conn,
	})
	if err != nil {
		return nil, err
	}
	exports["secretArns"] = catalog.Arns
	exports["secretsAwaitingFirstValue"] = pulumi.ToStringArray(orEmpty(catalog.AwaitingFirstValue(cfg.Secrets)))

	p := &parts{cfg: cfg, acct: acct, tags: tags, keys: keys, db: db, catalog: catalog}
	// Each later layer reads what the earlier ones built and adds its exports.
	for _, layer := range []func(*pulumi.Context, *parts, Exports) error{
		composeRotation, composeAccess, composeAlerts,
	} {
		if err := layer(ctx, p, exports); err != nil {
			return nil, err
		}
	}
	return exports, nil
}

// parts is what the composition built so far, handed to the later layers.
type parts struct {
	cfg     config.Config
	acct    account
	tags    map[string]string
	keys    keys
	db      *database.Database // nil when the stack has no database
	catalog *secrets.Catalog
	// rotators maps each automatically rotated secret's name to its rotation
	// function's name (set by composeRotation, read by composeAlerts).
	rotators map[string]pulumi.StringOutput
}

// account is where the stack deploys.
type account struct {
	ID, Partition, DNSSuffix string
}

func lookupAccount(ctx *pulumi.Context) (account, error) {
	id, err := aws.GetCallerIdentity(ctx, nil)
	if err != nil {
		return account{}, fmt.Errorf("look up the deploying account: %w", err)
	}
	p, err := aws.GetPartition(ctx, nil)
	if err != nil {
		return account{}, fmt.Errorf("look up the partition: %w", err)
	}
	return account{ID: id.AccountId, Partition: p.Partition, DNSSuffix: p.DnsSuffix}, nil
}

func orEmpty(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}
