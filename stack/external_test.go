package stack_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/stack"
)

// TestExternalSecretsAreGrantedNotChanged: a workload reading an external
// secret gets it in its read policy with its key; the stack registers
// nothing on the secret or its key, and hands each owner the statements to
// add with the commands, naming exactly the reading roles.
func TestExternalSecretsAreGrantedNotChanged(t *testing.T) {
	rec, err := mockrun.Run(loadExample(t), stack.Compose)
	require.NoError(t, err)
	const (
		payments    = "arn:aws:secretsmanager:eu-west-1:444455556666:secret:/prod/payments/webhook-signing-key-Zx8Yw7"
		paymentsKey = "arn:aws:kms:eu-west-1:444455556666:key/5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"
		smtp        = "arn:aws:secretsmanager:eu-west-1:333344445555:secret:platform/smtp-relay-Ab1Cd2"
	)
	for _, r := range rec.Resources {
		for _, arn := range []string{payments, smtp} {
			assert.NotEqual(t, arn, r.Str("secretId"), "%s %s changes an external secret", r.Type, r.Name)
			assert.NotEqual(t, arn, r.Str("secretArn"), "%s %s changes an external secret", r.Type, r.Name)
		}
	}
	var workloads map[string]struct {
		RoleArn    string   `json:"roleArn"`
		SecretArns []string `json:"secretArns"`
	}
	require.NoError(t, rec.Outputs["workloads"].Decode(&workloads))
	assert.Contains(t, workloads["api"].SecretArns, payments)
	assert.Contains(t, workloads["api"].SecretArns, smtp)
	assert.NotContains(t, workloads["notifier"].SecretArns, payments)

	var grants map[string]struct {
		Readers        []string `json:"readers"`
		ResourcePolicy string   `json:"resourcePolicy"`
		KeyPolicy      string   `json:"keyPolicy"`
		SameAccount    bool     `json:"sameAccount"`
	}
	require.NoError(t, rec.Outputs["externalSecretGrants"].Decode(&grants))
	g := grants["/prod/payments/webhook-signing-key"]
	assert.Equal(t, []string{workloads["api"].RoleArn}, g.Readers, "readers of the payments key, got/want the api role only")
	assert.False(t, g.SameAccount)
	assert.ElementsMatch(t, []string{workloads["api"].RoleArn, workloads["notifier"].RoleArn}, grants["platform/smtp-relay"].Readers)
	assert.True(t, grants["platform/smtp-relay"].SameAccount)
	var rp, kp iam.Document
	require.NoError(t, jsonUnmarshal(grants["platform/smtp-relay"].ResourcePolicy, &rp))
	require.NoError(t, jsonUnmarshal(g.KeyPolicy, &kp))
	staged := false
	for _, st := range rp.Statement {
		assert.False(t, st.Principal.Any, "statement %s: the * principal", st.Sid)
		if stages := st.Condition["StringEquals"]["secretsmanager:VersionStage"]; len(stages) > 0 {
			staged = true
			assert.Equal(t, iam.Strings{workloads["notifier"].RoleArn}, st.Principal.AWS, "the stage-limited read is the notifier's")
		}
	}
	assert.True(t, staged, "the notifier's AWSCURRENT limit is carried into the owner's grant")
	require.Len(t, kp.Statement, 1)
	assert.Equal(t, iam.Strings{"kms:Decrypt"}, kp.Statement[0].Action)
	assert.Equal(t, iam.Strings{payments}, kp.Statement[0].Condition["StringEquals"][iam.EncryptionContextSecretARN])

	var commands []string
	for _, c := range ownerChanges(t, rec) {
		commands = append(commands, c.Command)
	}
	joined := strings.Join(commands, "\n")
	assert.Contains(t, joined, "aws secretsmanager put-resource-policy --secret-id "+payments+" --resource-policy file://policy.json --block-public-policy")
	assert.Contains(t, joined, "aws kms put-key-policy --key-id "+paymentsKey+" --policy-name default --policy file://key-policy.json")
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
