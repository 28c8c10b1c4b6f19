package stack

import (
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/iam"
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

// Compose validates the config and registers every resource of the stack,
// layer by layer: keys, database, catalog, rotation, access, alerts, the
// redeployers of ECS services (which alert through the alerts' topic). Each
// layer is a call that takes what the earlier ones returned. Bad config
// returns before anything is registered.
func Compose(ctx *pulumi.Context) (Exports, error) {
	cfg, err := config.Load(ctx)
	if err != nil {
		return nil, err
	}
	acct, err := lookupAccount(ctx, cfg.Region)
	if err != nil {
		return nil, err
	}
	b := base{cfg: cfg, acct: acct, tags: map[string]string{"Environment": cfg.Environment, "ManagedBy": "pulumi", "PulumiStack": cfg.Stack}}
	groups, err := planRotation(cfg, acct)
	if err != nil {
		return nil, err
	}
	usage, err := checkUsage(cfg, acct, groups)
	if err != nil {
		return nil, err
	}

	if b.providers, err = newRegionProviders(ctx, b); err != nil {
		return nil, err
	}
	if b.keys, err = newKeys(ctx, b); err != nil {
		return nil, err
	}
	db, err := newDatabase(ctx, b)
	if err != nil {
		return nil, err
	}
	catalog, err := newCatalog(ctx, b, db)
	if err != nil {
		return nil, err
	}
	rotators, err := composeRotation(ctx, b, db, catalog, groups)
	if err != nil {
		return nil, err
	}
	access, err := composeAccess(ctx, b, catalog, db)
	if err != nil {
		return nil, err
	}
	alerting, err := composeAlerts(ctx, b, rotators)
	if err != nil {
		return nil, err
	}
	redeployers, err := composeRedeploy(ctx, b, catalog, alerting["alertTopicArn"])
	if err != nil {
		return nil, err
	}

	exports := Exports{}
	for _, layer := range []Exports{b.keys.exports(), databaseExports(db), catalogExports(catalog), replicaExports(b, catalog), awaitingExports(cfg), rotators.exports, access, alerting, redeployers, costExports(cfg, usage.Alarms), ownerExports(b, db, access["workloads"])} {
		maps.Copy(exports, layer)
	}
	return exports, nil
}

// base is what every layer reads and none changes: the validated config, the
// account, the tags every resource carries, the providers of the replica
// regions and the stack's keys.
type base struct {
	cfg       config.Config
	acct      iam.Account
	tags      map[string]string
	providers map[string]*aws.Provider
	keys      keys
}

func lookupAccount(ctx *pulumi.Context, region string) (iam.Account, error) {
	id, err := aws.GetCallerIdentity(ctx, nil)
	if err != nil {
		return iam.Account{}, fmt.Errorf("look up the deploying account: %w", err)
	}
	p, err := aws.GetPartition(ctx, nil)
	if err != nil {
		return iam.Account{}, fmt.Errorf("look up the partition: %w", err)
	}
	return iam.Account{ID: id.AccountId, Partition: p.Partition, Region: region, DNSSuffix: p.DnsSuffix}, nil
}
