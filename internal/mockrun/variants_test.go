package mockrun_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/internal/rules"
	"github.com/acme/secrets-platform/stack"
)

// TestVariantsSwitchEverythingOn: the variants of prod compose, keep every
// security rule, and between them use every rotation strategy with a Go
// rotator, every workload type, a consumer deployed here and one deployed
// elsewhere, and both database networks.
func TestVariantsSwitchEverythingOn(t *testing.T) {
	base, err := mockrun.LoadStack("../..", "prod")
	require.NoError(t, err)
	variants, err := mockrun.Variants(base)
	require.NoError(t, err)
	require.Len(t, variants, 3)

	strategies, workloadTypes := map[string]bool{}, map[string]bool{}
	types := map[string]bool{}
	for _, v := range variants {
		t.Run(v.Name, func(t *testing.T) {
			rec, err := mockrun.Run(v, stack.Compose)
			require.NoError(t, err, "variant %s composes", v.Name)
			assert.Empty(t, rules.Check(rec), "variant %s keeps every rule", v.Name)
			for typ := range rec.CountByType() {
				types[typ] = true
			}
			var secrets []struct {
				Rotation struct{ Strategy string } `json:"rotation"`
			}
			require.NoError(t, json.Unmarshal([]byte(v.Config[v.Project+":secrets"]), &secrets))
			for _, s := range secrets {
				strategies[s.Rotation.Strategy] = true
			}
			var workloads []struct{ Type string }
			require.NoError(t, json.Unmarshal([]byte(v.Config[v.Project+":workloads"]), &workloads))
			for _, w := range workloads {
				workloadTypes[w.Type] = true
			}
			var elsewhere []string
			require.NoError(t, rec.Outputs[rules.OutputConsumerSideElsewhere].Decode(&elsewhere))
			assert.Len(t, elsewhere, 1, "one principal deploys its own side")
			providers := 1 // one consumer side is deployed through its account's provider
			if v.Name == base.Name+mockrun.VariantReplicas {
				providers += len(mockrun.ReplicaRegions()) // and one provider per replica region
			}
			assert.Len(t, rec.OfType(mockrun.TypeAWSProvider), providers)
		})
	}
	for _, s := range []string{"random", "keyring", "http", "twilio", "postgres-single-user", "postgres-alternating-users", "manual"} {
		assert.True(t, strategies[s], "no variant uses strategy %s", s)
	}
	for _, w := range []string{"ecs", "lambda", "eks", "role"} {
		assert.True(t, workloadTypes[w], "no variant has a %s workload", w)
	}
	for _, typ := range []string{"aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", mockrun.TypePolicy,
		"aws:sfn/stateMachine:StateMachine", "aws:eks/podIdentityAssociation:PodIdentityAssociation"} {
		assert.True(t, types[typ], "no variant registers %s", typ)
	}
}
