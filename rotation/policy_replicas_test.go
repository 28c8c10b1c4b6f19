package rotation_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/rotation"
	"github.com/acme/secrets-platform/rotator/contract"
)

// TestPolicyReplicatesOwnSecretsThroughEachRegion: for each replica region
// the rotator may encrypt new versions with that region's key, through that
// region's Secrets Manager, for the replicas of its own secrets only.
func TestPolicyReplicatesOwnSecretsThroughEachRegion(t *testing.T) {
	acct := iam.Account{ID: "111122223333", Partition: "aws", Region: "eu-west-1", DNSSuffix: "amazonaws.com"}
	group := []config.Secret{
		{Name: "/prod/integrations/twilio", ReplicaRegions: []string{"eu-central-1", "us-east-1"}},
		{Name: "/prod/integrations/twilio-eu"},
	}
	keys := map[string]string{"us-east-1": "arn:aws:kms:us-east-1:111122223333:key/r1", "eu-central-1": "arn:aws:kms:eu-central-1:111122223333:key/r2"}
	replicas := rotation.ReplicaKeys(group, []string{secretArn, siblingArn}, keys)
	require.Len(t, replicas, 2)
	assert.Equal(t, "eu-central-1", replicas[0].Region, "in region order")
	doc := rotation.Policy(rotation.PolicyArgs{Strategy: config.Twilio, Account: acct, SecretArns: []string{secretArn, siblingArn},
		SecretsKeyArn: secretsKey, PlatformKeyArn: platformKey, FunctionArn: functionArn, LogGroupArn: logGroupArn, Replicas: replicas})
	st := statement(t, doc, rotation.SidReplicatePrefix+"UsEast1")
	assert.Equal(t, iam.Strings{"kms:Encrypt", "kms:GenerateDataKey"}, st.Action)
	assert.Equal(t, iam.Strings{keys["us-east-1"]}, st.Resource)
	assert.Equal(t, iam.Strings{"secretsmanager.us-east-1.amazonaws.com"}, st.Condition["StringEquals"]["kms:ViaService"])
	assert.Equal(t, iam.Strings{"arn:aws:secretsmanager:us-east-1:111122223333:secret:/prod/integrations/twilio-AbCdEf"},
		st.Condition["StringEquals"]["kms:EncryptionContext:SecretARN"], "the replica of the one secret that replicates there")
	own := statement(t, doc, rotation.SidUseSecretsKey)
	assert.Equal(t, iam.Strings{"secretsmanager.eu-west-1.amazonaws.com"}, own.Condition["StringEquals"]["kms:ViaService"], "the primary's key stays in its region")

	settings := func(config.Secret) contract.Settings { return contract.Settings{Strategy: contract.Random} }
	plain, err := rotation.Measure(acct, "prod", settings, []config.Secret{{Name: "/prod/app/x", Kind: config.KindPassword}})
	require.NoError(t, err)
	replicated, err := rotation.Measure(acct, "prod", settings, []config.Secret{{Name: "/prod/app/x", Kind: config.KindPassword, ReplicaRegions: []string{"us-east-1"}}})
	require.NoError(t, err)
	assert.Greater(t, replicated.RolePolicy, plain.RolePolicy, "the measure counts the replica statements the role gets")
}
