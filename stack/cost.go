package stack

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/cost"
)

// costExports is estimatedMonthlyCost: AWS list prices (dated in package
// cost) applied to what this config deploys (alarms counted by Usage), so a
// config change shows its cost in `pulumi preview` and in the offline plan.
func costExports(cfg config.Config, alarms int) Exports {
	e := cost.Compute(cost.FromConfig(cfg, alarms))
	lines := pulumi.Array{}
	for _, l := range e.Lines {
		m := pulumi.Map{
			"item": pulumi.String(l.Item), "quantity": pulumi.Float64(l.Quantity), "unit": pulumi.String(l.Unit),
			"unitPrice": pulumi.Float64(l.UnitPrice), "monthlyUsd": pulumi.Float64(l.Monthly),
		}
		if l.Note != "" {
			m["note"] = pulumi.String(l.Note)
		}
		lines = append(lines, m)
	}
	return Exports{"estimatedMonthlyCost": pulumi.Map{
		"pricesAsOf": pulumi.String(e.PricesAsOf), "pricesRegion": pulumi.String(e.Region),
		"totalMonthlyUsd": pulumi.Float64(e.Total), "lines": lines,
	}}
}
