package stack

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/alerts"
	"github.com/acme/secrets-platform/config"
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
	for _, wl := range redeployed(b.cfg) {
		rotated := b.cfg.Redeploys(wl)
		topic, ok := topicArn.(pulumi.StringOutput)
		if !ok {
			return nil, fmt.Errorf("compose redeployer of workload %s: the alert topic is missing", wl.Name)
		}
		svc := redeploy.Service{Cluster: wl.ECSService.Cluster, Service: wl.ECSService.Service}
		r, err := redeploy.NewRedeployer(ctx, "redeploy-"+wl.Name, &redeploy.Args{
			Environment: b.cfg.Environment, Workload: wl.Name, Service: svc,
			SecretArns: secretArns(catalog, rotated), Account: b.acct,
			PermissionsBoundaryArn: iam.BoundaryARN(b.acct, b.cfg.Environment),
			AlarmTopicArn:          topic, DeadLetterArn: alerts.DeadLetterQueueARN(b.acct, b.cfg.Environment), Tags: b.tags,
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

// redeployed are the workloads that get a redeployer: ECS workloads that
// inject an automatically rotated secret and name their service.
func redeployed(cfg config.Config) []config.Workload {
	var out []config.Workload
	for _, wl := range cfg.Workloads {
		if len(cfg.Redeploys(wl)) > 0 {
			out = append(out, wl)
		}
	}
	return out
}

// redeployRules are the names of the redeployers' rules, whose targets
// dead-letter to the alerts' queue.
func redeployRules(cfg config.Config) []string {
	var out []string
	for _, wl := range redeployed(cfg) {
		out = append(out, redeploy.NamesOf(cfg.Environment, wl.Name).Rule)
	}
	return out
}
