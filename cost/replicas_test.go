package cost_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/acme/secrets-platform/cost"
)

// TestReplicasArePricedPerRegion: each replica region adds its replicas and
// its key at that region's prices, or at the one price AWS states for every
// commercial region where the table has none, and says which.
func TestReplicasArePricedPerRegion(t *testing.T) {
	base := cost.Inputs{Region: "eu-west-1", Secrets: 5, Keys: 2, CacheTTL: 5 * time.Minute, Instances: 4, SecretsRead: 3}
	with := base
	with.Replicas = map[string]int{"us-east-1": 4, "ap-southeast-2": 1}
	with.ReplicatedRotationsPerMonth = 3
	plain, replicated := cost.Compute(base), cost.Compute(with)

	east := line(t, replicated, "Secrets Manager replica secrets (us-east-1)")
	assert.InDelta(t, 1.60, east.Monthly, 0.005, "4 replicas at $0.40")
	assert.Contains(t, east.Note, "prices of us-east-1")
	sydney := line(t, replicated, "Secrets Manager replica secrets (ap-southeast-2)")
	assert.InDelta(t, 0.40, sydney.Monthly, 0.005)
	assert.True(t, strings.Contains(sydney.Note, "one price for every commercial region"), "got note %q", sydney.Note)
	assert.InDelta(t, 1.00, line(t, replicated, "KMS customer-managed key (ap-southeast-2)").Monthly, 0.005)
	assert.InDelta(t, plain.Total+1.60+1+0.40+1, replicated.Total, 0.015, "replicas add their secrets and one key per region")
	assert.NotContains(t, plain.Lines, cost.Line{Item: "KMS requests (replicating rotations)"}, "no replicas, no replica lines")
}
