package rotation_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/rotation"
)

// keys is n http secrets behind one admin secret.
func keys(n int) []config.Secret {
	out := make([]config.Secret, n)
	for i := range out {
		out[i] = config.Secret{Name: fmt.Sprintf("/prod/k/s%03d", i), Group: "k", Short: fmt.Sprintf("s%03d", i), Kind: config.KindJSON,
			AdminSecret: "/prod/k/admin", KeyAPIBaseURL: "https://keys.example.com/v1",
			Rotation: config.Rotation{Strategy: config.HTTPKey, Days: 30, GracePeriod: 3600e9}}
	}
	return out
}

// TestKeyRotatorTimeoutCoversItsSweep: a sweep visits its group's secrets
// one after another, so a key rotator's timeout grows with its group, and a
// shard whose sweep would need more than Lambda's 900 s does not fit.
func TestKeyRotatorTimeoutCoversItsSweep(t *testing.T) {
	assert.Equal(t, rotation.TimeoutSeconds, rotation.Timeout(config.Random, 40), "a step's timeout for a rotator that never sweeps")
	assert.Equal(t, rotation.TimeoutSeconds+20*rotation.SweepSecondsPerSecret, rotation.Timeout(config.HTTPKey, 20))

	acct := iam.Account{ID: "111122223333", Partition: "aws", Region: "eu-west-1", DNSSuffix: "amazonaws.com"}
	sizes, err := rotation.Measure(acct, "prod", settingsOf, keys(20))
	require.NoError(t, err)
	assert.Equal(t, rotation.Timeout(config.HTTPKey, 20), sizes.TimeoutSeconds)
	assert.Empty(t, sizes.Over())
	// The sizes of a shard too large to sweep, however its policies fit.
	over := rotation.Sizes{TimeoutSeconds: rotation.Timeout(config.HTTPKey, 80)}
	assert.Equal(t, []string{"its rotator's sweep would need 990 seconds, Lambda allows 900"}, over.Over())
}
