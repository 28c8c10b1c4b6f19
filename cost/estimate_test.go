package cost_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/cost"
)

func line(t *testing.T, e cost.Estimate, item string) cost.Line {
	t.Helper()
	for _, l := range e.Lines {
		if l.Item == item {
			return l
		}
	}
	require.Failf(t, "missing line", "got no line %q in %+v", item, e.Lines)
	return cost.Line{}
}

func TestComputePricesEachItem(t *testing.T) {
	in := cost.Inputs{
		Secrets: 7, Keys: 2, CacheTTL: 5 * time.Minute, Instances: 12, SecretsRead: 5,
		RotationsPerMonth: 2, DBInstanceClass: "db.m7g.large", DBMultiAZ: true, DBStorageGB: 50,
		EndpointAZs: 3, Alarms: 6, AgeRuleSecrets: 3,
	}
	e := cost.Compute(in)
	tests := []struct {
		item string
		want float64
	}{
		{"Secrets Manager secrets", 2.80},
		{"KMS customer-managed keys", 2.00},
		// 12 instances * 5 secrets * 2,628,000 s / 300 s = 525,600 calls.
		{"Secrets Manager API calls (cache refreshes)", 2.63},
		{"RDS PostgreSQL db.m7g.large multi-AZ", 245.28},
		{"RDS gp3 storage multi-AZ", 11.50},
		{"Secrets Manager interface endpoint", 21.90},
		{"CloudWatch alarms", 0.60},
		{"AWS Config age rule evaluations", 0.09},
	}
	for _, tt := range tests {
		t.Run(tt.item, func(t *testing.T) {
			got := line(t, e, tt.item).Monthly
			assert.InDelta(t, tt.want, got, 0.005, "got %v, want %v", got, tt.want)
		})
	}
	var sum float64
	for _, l := range e.Lines {
		sum += l.Monthly
	}
	assert.InDelta(t, sum, e.Total, 0.005, "got total %v, want the sum of the lines %v", e.Total, sum)
	assert.Equal(t, cost.PricesAsOf, e.PricesAsOf)
}

func TestUnknownInstanceClassIsUnpricedNotGuessed(t *testing.T) {
	e := cost.Compute(cost.Inputs{DBInstanceClass: "db.x99.huge", DBStorageGB: 10})
	l := line(t, e, "RDS PostgreSQL db.x99.huge single-AZ")
	assert.Zero(t, l.Monthly, "got %v, want 0 for an unknown class", l.Monthly)
	assert.Contains(t, l.Note, "unpriced")
}

func TestRotationsPerMonth(t *testing.T) {
	tests := []struct {
		name string
		r    config.Rotation
		want float64
	}{
		{"days", config.Rotation{Days: 30}, 30.4167 / 30},
		{"rate in days", config.Rotation{ScheduleExpression: "rate(7 days)"}, 30.4167 / 7},
		{"rate in hours", config.Rotation{ScheduleExpression: "rate(4 hours)"}, 730.0 / 4},
		{"cron counts as daily", config.Rotation{ScheduleExpression: "cron(0 4 ? * SUN *)"}, 30.4167},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cost.RotationsPerMonth(tt.r)
			assert.InDelta(t, tt.want, got, 0.001, "got %v, want %v", got, tt.want)
		})
	}
}

func TestFromConfigCountsTheMasterSecretAndDistinctReads(t *testing.T) {
	c := config.Config{
		Cache: config.Cache{TTL: time.Minute, Instances: 3},
		Secrets: []config.Secret{
			{Name: "/e/a/x", Rotation: config.Rotation{Strategy: config.Random, Days: 30}},
			{Name: "/e/a/y", Rotation: config.Rotation{Strategy: config.Manual}},
		},
		Workloads: []config.Workload{{Secrets: []string{"/e/a/x", "/e/a/y"}}, {Secrets: []string{"/e/a/x"}}},
		Database:  &config.Database{InstanceClass: "db.t4g.micro", AllocatedStorageGB: 20, Network: config.Network{CIDR: "10.0.0.0/16", AZCount: 2}},
	}
	in := cost.FromConfig(c, 2)
	assert.Equal(t, 3, in.Secrets, "got %d secrets, want 2 catalog + 1 RDS master", in.Secrets)
	assert.Equal(t, 2, in.SecretsRead, "got %d distinct reads, want 2", in.SecretsRead)
	assert.Equal(t, 1, in.AgeRuleSecrets)
	assert.Equal(t, 2, in.EndpointAZs)
	assert.Equal(t, 2, in.Keys)
}

func TestSmallVolumesKeepTheirQuantity(t *testing.T) {
	e := cost.Compute(cost.Inputs{RotationsPerMonth: 2})
	tests := []struct {
		item string
		want float64
	}{
		{"Secrets Manager API calls (rotations)", 2 * cost.CallsPerRotation},
		{"Rotation Lambda requests", 2 * cost.InvocationsPerRotation},
	}
	for _, tt := range tests {
		t.Run(tt.item, func(t *testing.T) {
			got := line(t, e, tt.item).Quantity
			assert.Equal(t, tt.want, got, "got quantity %v, want %v", got, tt.want)
		})
	}
}
