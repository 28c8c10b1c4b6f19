package enginetest_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReplicaStack deploys a strict stack whose secrets replicate
// (testdata/Pulumi.replicas.yaml) under the real engine: preview and up
// pass, a second preview and up change nothing, the engine's resources are
// the mocks', and each replica region's key and forwarder are made through
// that region's provider, the replicas reported in sync, protected.
func TestReplicaStack(t *testing.T) {
	t.Parallel()
	file, err := os.ReadFile("testdata/Pulumi.replicas.yaml")
	require.NoError(t, err)
	d := deploy(t, scenario{name: "replicas", file: file})
	require.True(t, d.strict)
	state, err := d.s.Export(context.Background())
	require.NoError(t, err)

	regions := map[string]string{} // provider URN -> region
	for _, r := range state.Resources {
		if strings.HasPrefix(string(r.Type), "pulumi:providers:aws") && strings.HasPrefix(r.URN.Name(), "region-") {
			regions[string(r.URN)], _ = r.Inputs["region"].(string)
		}
	}
	require.Len(t, regions, 2, "one provider per replica region")
	perRegion := map[string]int{}
	keys := map[string]string{}
	for _, r := range state.Resources {
		// A provider reference is the provider's URN, "::" and its id.
		ref := r.Provider[:max(strings.LastIndex(r.Provider, "::"), 0)]
		region, ok := regions[ref]
		if !ok {
			continue
		}
		perRegion[region]++
		if r.Type == "aws:kms/key:Key" {
			arn, _ := r.Outputs["arn"].(string)
			keys[region] = arn
			assert.Contains(t, arn, ":kms:"+region+":222233334444:key/", "the key of %s is that region's", region)
			assert.True(t, r.Protect, "the key of %s is protected", region)
		}
	}
	assert.Equal(t, map[string]int{"us-east-1": 4, "eu-central-1": 4}, perRegion, "a key, its alias, a forwarding rule and its target in each replica region")

	replicated := 0
	for _, r := range state.Resources {
		if r.Type != "aws:secretsmanager/secret:Secret" {
			continue
		}
		v, ok := r.Outputs["replicas"]
		if !ok {
			continue
		}
		b, err := json.Marshal(v)
		require.NoError(t, err)
		var replicas []struct {
			Region, KmsKeyID, Status string
		}
		require.NoError(t, json.Unmarshal(b, &replicas))
		for _, rep := range replicas {
			replicated++
			assert.Equal(t, keys[rep.Region], rep.KmsKeyID, "%s: the replica in %s is under that region's key", r.URN.Name(), rep.Region)
			assert.Equal(t, "InSync", rep.Status)
		}
		assert.True(t, r.Protect)
	}
	assert.Equal(t, 4, replicated, "session-key and the partner key to us-east-1, the key ring to two regions")
	t.Logf("figures replicas: resources per replica region %v, %d replicas", perRegion, replicated)
}
