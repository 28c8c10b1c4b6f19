package stack

import (
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/alerts"
	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/rotation"
)

// composeAlerts deploys the alert topic, the event rules (rotation failures,
// the CloudTrail detections, the manual secrets' age) with their dead-letter
// queue, the alarms on the rotation functions and on lost alerts, and one
// alarm per key ring that nears its bound. The manual secrets are the ones
// whose values an operator puts: the detections report those puts as
// informational, every other put by a person as high.
func composeAlerts(ctx *pulumi.Context, b base, rotators rotators) (Exports, error) {
	var manual []string
	for _, s := range b.cfg.Secrets {
		if !s.Rotation.Strategy.Automatic() {
			manual = append(manual, s.Name)
		}
	}
	a, err := alerts.NewAlerts(ctx, "alerts", &alerts.Args{
		Environment: b.cfg.Environment, Account: b.acct,
		KmsKeyArn: b.keys.Platform.Arn, Emails: b.cfg.Alerts.Emails, HTTPSEndpoints: b.cfg.Alerts.HTTPSEndpoints,
		Rotators: rotators.functions, ManualSecrets: manual, MaxSecretAgeDays: b.cfg.MaxSecretAgeDays, Tags: b.tags,
		OperatorRoleARNs: b.cfg.Alerts.OperatorRoleARNs,
		SweepRules:       rotators.sweeps, RedeployRules: redeployRules(b.cfg),
	})
	if err != nil {
		return nil, err
	}
	// The keyring alarms notify the topic, which exists only now: the
	// rotation layer comes before this one.
	for _, g := range rotators.keyrings {
		if _, err := rotation.NewKeyringAlarm(ctx, "keyring-near-full-"+strings.TrimPrefix(g.Name, b.cfg.Environment+"-"), &rotation.KeyringAlarmArgs{
			Group: g, FunctionName: rotators.functions[g.Name], TopicArn: a.TopicArn, Tags: b.tags,
		}); err != nil {
			return nil, err
		}
	}
	if len(b.providers) > 0 {
		// A replica region's calls reach its own EventBridge only.
		providers := map[string]pulumi.ProviderResource{}
		for r, p := range b.providers {
			providers[r] = p
		}
		if _, err := alerts.NewForwarders(ctx, "alerts-forward", &alerts.ForwardArgs{
			Environment: b.cfg.Environment, Account: b.acct, Providers: providers,
			PermissionsBoundaryArn: iam.BoundaryARN(b.acct, b.cfg.Environment), Tags: b.tags,
		}); err != nil {
			return nil, err
		}
	}
	return Exports{"alertTopicArn": a.TopicArn, "alertTopicName": a.TopicName}, nil
}
