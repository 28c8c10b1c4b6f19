package stack

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// composeAlerts deploys the alert topic, event rules and alarms.
// (Being built for issue 7.)
func composeAlerts(ctx *pulumi.Context, p *parts, exports Exports) error {
	return nil
}
