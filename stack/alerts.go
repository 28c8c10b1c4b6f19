package stack

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/alerts"
)

// composeAlerts deploys the alert topic, the event rules, the rotation
// functions' alarms and the manual secrets' age rule.
func composeAlerts(ctx *pulumi.Context, b base, rotators map[string]pulumi.StringOutput) (Exports, error) {
	var manual []string
	for _, s := range b.cfg.Secrets {
		if !s.Rotation.Strategy.Automatic() {
			manual = append(manual, s.Name)
		}
	}
	a, err := alerts.NewAlerts(ctx, "alerts", &alerts.Args{
		Environment: b.cfg.Environment, Account: b.acct,
		KmsKeyArn: b.keys.Platform.Arn, Emails: b.cfg.Alerts.Emails, HTTPSEndpoints: b.cfg.Alerts.HTTPSEndpoints,
		Rotators: rotators, ManualSecrets: manual, MaxSecretAgeDays: b.cfg.MaxSecretAgeDays, Tags: b.tags,
	})
	if err != nil {
		return nil, err
	}
	return Exports{"alertTopicArn": a.TopicArn, "alertTopicName": a.TopicName}, nil
}
