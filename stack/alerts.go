package stack

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/alerts"
)

// composeAlerts deploys the alert topic, the event rules, the rotation
// functions' alarms and the manual secrets' age rule, then adds the cost
// estimate (the last layer, so it can count what the earlier ones built).
func composeAlerts(ctx *pulumi.Context, p *parts, exports Exports) error {
	var manual []string
	for _, s := range p.cfg.Secrets {
		if !s.Rotation.Strategy.Automatic() {
			manual = append(manual, s.Name)
		}
	}
	a, err := alerts.NewAlerts(ctx, "alerts", &alerts.AlertsArgs{
		Environment: p.cfg.Environment, Partition: p.acct.Partition, Region: p.cfg.Region, AccountID: p.acct.ID,
		KmsKeyArn: p.keys.Platform.Arn, Emails: p.cfg.Alerts.Emails, HTTPSEndpoints: p.cfg.Alerts.HTTPSEndpoints,
		Rotators: p.rotators, ManualSecrets: manual, MaxSecretAgeDays: p.cfg.MaxSecretAgeDays, Tags: p.tags,
	})
	if err != nil {
		return err
	}
	exports["alertTopicArn"] = a.TopicArn
	exports["alertTopicName"] = a.TopicName
	exportCost(p, exports)
	return nil
}
