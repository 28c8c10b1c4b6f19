package stack

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// composeAccess deploys the workloads' read roles and cross-account sharing.
// (Being built for issue 5.)
func composeAccess(ctx *pulumi.Context, p *parts, exports Exports) error {
	return nil
}
