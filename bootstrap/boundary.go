package main

import (
	"fmt"

	awsiam "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/iam"
)

// newBoundary registers the environment's permissions boundary
// (iam.BoundaryPolicy) at the ARN the program names (iam.BoundaryARN). The
// bootstrap, run by an administrator, is the only thing that writes it: the
// deploy role may attach it and is denied every edit of it.
func newBoundary(ctx *pulumi.Context, name string, s settings, a iam.Account, tags map[string]string, opts ...pulumi.ResourceOption) (*awsiam.Policy, error) {
	doc, err := iam.BoundaryPolicy(a, s.AppEnvironment, s.ReplicaRegions...).JSON()
	if err != nil {
		return nil, fmt.Errorf("permissions boundary: %w", err)
	}
	p, err := awsiam.NewPolicy(ctx, name, &awsiam.PolicyArgs{
		Name:        pulumi.String(iam.BoundaryName(s.AppEnvironment)),
		Path:        pulumi.String(iam.BoundaryPath),
		Description: pulumi.String("Permissions boundary of every role secrets-platform creates in " + s.AppEnvironment + " (SECURITY-RULES 18)"),
		Policy:      pulumi.String(doc),
		Tags:        pulumi.ToStringMap(tags),
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("create permissions boundary: %w", err)
	}
	return p, nil
}
