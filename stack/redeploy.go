package stack

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/redeploy"
	"github.com/acme/secrets-platform/secrets"
)

// composeRedeploy makes, for each ECS workload that injects an
// automatically rotated secret at task start and names its service, the
// redeployer that starts new tasks after each successful rotation (config
// refuses such an injection in a strict stack without the service). It
// comes after the alerts, whose topic hears about a redeployment that
// failed, and exports each redeployer by workload.
func composeRedeploy(ctx *pulumi.Context, b base, catalog *secrets.Catalog, topicArn pulumi.Input) (Exports, error) {
	out := pulumi.Map{}
	for _, wl := range b.cfg.Workloads {
		rotated := b.cfg.RotatedInjected(wl)
		if wl.ECSService == nil || len(rotated) == 0 {
			continue
		}
		topic, ok := topicArn.(pulumi.StringOutput)
		if !ok {
			return nil, fmt.Errorf("compose redeployer of workload %s: the alert topic is missing", wl.Name)
		}
		svc := redeploy.Service{Cluster: wl.ECSService.Cluster, Service: wl.ECSService.Service}
		r, err := redeploy.NewRedeployer(ctx, "redeploy-"+wl.Name, &redeploy.Args{
			Environment: b.cfg.Environment, Workload: wl.Name, Service: svc,
			SecretArns: secretArns(catalog, rotated), Account: b.acct,
			PermissionsBoundaryArn: iam.BoundaryARN(b.acct, b.cfg.Environment),
			AlarmTopicArn:          topic, Tags: b.tags,
		})
		if err != nil {
			return nil, fmt.Errorf("compose redeployer of workload %s: %w", wl.Name, err)
		}
		out[wl.Name] = pulumi.Map{
			"service": pulumi.String(redeploy.ServiceARN(b.acct, svc)), "secretArns": secretArns(catalog, rotated),
			"stateMachineArn": r.StateMachineArn, "ruleName": r.RuleName,
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return Exports{"redeployers": out}, nil
}
