package stack

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// newRegionProviders registers one AWS provider per replica region
// (config.Config.ReplicaRegionsInUse): the stack's key of that region and
// its alert forwarder are deployed through it. Each keeps the stack's
// aws:allowedAccountIds, so a replica region of a prod config cannot reach
// another account either; the credentials are the default provider's (the
// same environment). Other aws:* settings of the stack (a profile, a role
// to assume) are not copied: the committed stacks set none, and the deploy
// workflows give credentials through the environment.
func newRegionProviders(ctx *pulumi.Context, b base) (map[string]*aws.Provider, error) {
	out := map[string]*aws.Provider{}
	for _, r := range b.cfg.ReplicaRegionsInUse() {
		args := &aws.ProviderArgs{Region: pulumi.String(r)}
		if len(b.cfg.AllowedAccountIDs) > 0 {
			args.AllowedAccountIds = pulumi.ToStringArray(b.cfg.AllowedAccountIDs)
		}
		p, err := aws.NewProvider(ctx, RegionProviderName(r), args)
		if err != nil {
			return nil, fmt.Errorf("create the provider of replica region %s: %w", r, err)
		}
		out[r] = p
	}
	return out, nil
}

// RegionProviderName is the logical name of a replica region's provider.
func RegionProviderName(region string) string { return "region-" + region }
