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
		Region:  "us-east-1",
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
	assert.Equal(t, "2026-11-29", e.PricesAsOf)
	assert.Equal(t, "us-east-1", e.Region)
	for _, l := range e.Lines {
		assert.NotContains(t, l.Note, "estimate", "us-east-1's prices were read, not estimated: %s", l.Item)
	}
}

// TestEachRegionIsPricedByItsOwnTable: the committed stacks' region has its
// own dated, sourced prices; every figure of it that was not read from AWS
// is marked on the lines that use it; a region without prices is priced at
// nothing, never at another region's prices.
func TestEachRegionIsPricedByItsOwnTable(t *testing.T) {
	in := cost.Inputs{Secrets: 7, Keys: 2, CacheTTL: 5 * time.Minute, Instances: 12, SecretsRead: 5, RotationsPerMonth: 2,
		DBInstanceClass: "db.m7g.large", DBMultiAZ: true, DBStorageGB: 50, EndpointAZs: 3, Alarms: 6, AgeRuleSecrets: 3}
	for _, region := range []string{"eu-west-1", "us-east-1"} {
		p, ok := cost.PricesFor(region)
		require.True(t, ok, "no prices for %s", region)
		assert.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, p.AsOf, "%s: dated", region)
		assert.NotEmpty(t, p.Source, "%s: sourced", region)
	}
	in.Region = "eu-west-1"
	eu := cost.Compute(in)
	in.Region = "us-east-1"
	us := cost.Compute(in)
	assert.Equal(t, "eu-west-1", eu.Region)
	assert.Greater(t, eu.Total, us.Total, "eu-west-1 costs more than us-east-1 here")
	assert.Equal(t, line(t, us, "Secrets Manager secrets").Monthly, line(t, eu, "Secrets Manager secrets").Monthly, "one secret price for every region")
	rds := line(t, eu, "RDS PostgreSQL db.m7g.large multi-AZ")
	assert.InDelta(t, 0.185, rds.UnitPrice, 0.0005, "eu-west-1 m7g.large, got/want us-east-1 x 1.10")
	assert.Contains(t, rds.Note, "estimate:", "an estimated rate says so on its line")
	assert.Contains(t, line(t, eu, "Secrets Manager interface endpoint").Note, "estimate:")
	assert.NotContains(t, line(t, eu, "KMS customer-managed keys").Note, "estimate", "KMS's one price for every region is not an estimate")

	in.Region = "xx-nowhere-1"
	none := cost.Compute(in)
	assert.Zero(t, none.Total, "no prices, no total")
	assert.Empty(t, none.PricesAsOf)
	for _, l := range none.Lines {
		assert.Contains(t, l.Note, "no prices for region xx-nowhere-1", l.Item)
	}
}

func TestUnknownInstanceClassIsUnpricedNotGuessed(t *testing.T) {
	e := cost.Compute(cost.Inputs{Region: "eu-west-1", DBInstanceClass: "db.x99.huge", DBStorageGB: 10})
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
		Region: "eu-west-1",
		Cache:  config.Cache{TTL: time.Minute, Instances: 3},
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
	assert.Equal(t, "eu-west-1", in.Region, "the stack's region picks the prices")
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
