// Command bootstrap is the small Pulumi project that prepares an AWS account
// for secrets-platform, once, before the main program's first `pulumi up`.
//
// It makes where state lives, the key that encrypts state secrets, the
// permissions boundary of the program's roles, the roles GitHub Actions
// assumes through OIDC (no long-lived keys) and the break-glass role. It
// lives in the main Go module so it shares the policy types and the mocks
// harness.
package main

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/iam"
)

func main() {
	pulumi.Run(program)
}

// program reads the config, then registers the permissions boundary, the
// state and the identity resources.
func program(ctx *pulumi.Context) error {
	s, err := loadConfig(ctx)
	if err != nil {
		return err
	}
	id, err := aws.GetCallerIdentity(ctx, nil)
	if err != nil {
		return fmt.Errorf("look up the account: %w", err)
	}
	part, err := aws.GetPartition(ctx, nil)
	if err != nil {
		return fmt.Errorf("look up the partition: %w", err)
	}
	region, err := aws.GetRegion(ctx, nil)
	if err != nil {
		return fmt.Errorf("look up the region: %w", err)
	}
	a := iam.Account{ID: id.AccountId, Partition: part.Partition, Region: region.Name, DNSSuffix: part.DnsSuffix}
	tags := map[string]string{"ManagedBy": "pulumi", "PulumiProject": ctx.Project(), "PulumiStack": ctx.Stack()}

	boundary, err := newBoundary(ctx, "boundary", s, a, tags)
	if err != nil {
		return err
	}
	st, err := newState(ctx, "state", s, a, tags)
	if err != nil {
		return err
	}
	gh, err := newGitHubAccess(ctx, "github", s, a, st, tags)
	if err != nil {
		return err
	}
	if _, err := newBreakGlass(ctx, "break-glass", s, a, tags); err != nil {
		return err
	}
	ctx.Export("stateBackend", st.BackendURL)
	ctx.Export("secretsProvider", st.SecretsProvider)
	ctx.Export("secretsProviderKeyArn", st.KeyArn)
	ctx.Export("oidcProviderArn", gh.ProviderArn)
	ctx.Export("previewRoleArn", gh.PreviewRoleArn)
	ctx.Export("deployRoleArn", gh.DeployRoleArn)
	ctx.Export("permissionsBoundaryArn", boundary.Arn)
	return nil
}
