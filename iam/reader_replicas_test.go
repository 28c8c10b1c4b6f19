package iam_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/iam"
)

const (
	testReplicaKey    = "arn:aws:kms:us-east-1:111122223333:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	testReplicaSecret = "arn:aws:secretsmanager:us-east-1:111122223333:secret:/prod/app/stripe-AbCdEf"
)

// TestReaderPolicyOfAReplicaRegion: a reader that runs in a replica region
// reads the replica there and decrypts with that region's key through that
// region's Secrets Manager only; the primary's key keeps its own region.
func TestReaderPolicyOfAReplicaRegion(t *testing.T) {
	a := readerArgs()
	a.SecretARNs = []string{testOther}
	a.Replicas = []iam.ReplicaRead{{Region: "us-east-1", KeyARN: testReplicaKey, SecretARNs: []string{testReplicaSecret}}}
	doc, err := iam.ReaderPolicy(a)
	require.NoError(t, err)
	require.Len(t, doc.Statement, 4)
	read, primary, replica := doc.Statement[0], doc.Statement[2], doc.Statement[3]
	assert.Equal(t, iam.Strings{testOther, testReplicaSecret}, read.Resource, "the primary it reads and the replica")
	assert.Equal(t, iam.Strings{testKey}, primary.Resource)
	assert.Equal(t, iam.Strings{"secretsmanager.eu-west-1.amazonaws.com"}, primary.Condition["StringEquals"]["kms:ViaService"])
	assert.Equal(t, iam.Strings{testOther}, primary.Condition["StringEquals"][iam.EncryptionContextSecretARN])
	assert.Equal(t, "DecryptThroughSecretsManagerInUsEast1", replica.Sid)
	assert.Equal(t, iam.Strings{"kms:Decrypt"}, replica.Action)
	assert.Equal(t, iam.Strings{testReplicaKey}, replica.Resource)
	assert.Equal(t, iam.Strings{"secretsmanager.us-east-1.amazonaws.com"}, replica.Condition["StringEquals"]["kms:ViaService"])
	assert.Equal(t, iam.Strings{"111122223333"}, replica.Condition["StringEquals"]["kms:CallerAccount"])
	assert.Equal(t, iam.Strings{testReplicaSecret}, replica.Condition["StringEquals"][iam.EncryptionContextSecretARN])

	// Only replicas: no statement on the primary's key.
	only := readerArgs()
	only.SecretARNs, only.KeyARN = nil, ""
	only.Replicas = a.Replicas
	doc, err = iam.ReaderPolicy(only)
	require.NoError(t, err)
	require.Len(t, doc.Statement, 3)
	assert.Equal(t, iam.Strings{testReplicaKey}, doc.Statement[2].Resource)

	for name, r := range map[string]iam.ReplicaRead{
		"the account's own region": {Region: "eu-west-1", KeyARN: testReplicaKey, SecretARNs: []string{testReplicaSecret}},
		"no key":                   {Region: "us-east-1", SecretARNs: []string{testReplicaSecret}},
		"no ARNs":                  {Region: "us-east-1", KeyARN: testReplicaKey},
	} {
		bad := readerArgs()
		bad.Replicas = []iam.ReplicaRead{r}
		_, err := iam.ReaderPolicy(bad)
		assert.Error(t, err, "a replica read with %s is refused", name)
	}
}

func TestARNInRegionAndRegionSid(t *testing.T) {
	assert.Equal(t, testReplicaSecret, iam.ARNInRegion(testSecret, "us-east-1"))
	assert.Equal(t, "", iam.ARNInRegion("not-an-arn", "us-east-1"))
	assert.Equal(t, "UsEast1", iam.RegionSid("us-east-1"))
	assert.Equal(t, "ApSoutheast2", iam.RegionSid("ap-southeast-2"))
}

// TestBoundaryCoversReplicaRegionsAndFits: each replica region gets reads of
// the replicas and its keys through its own Secrets Manager, and the longest
// environment with three replica regions still fits a managed policy.
func TestBoundaryCoversReplicaRegionsAndFits(t *testing.T) {
	doc := iam.BoundaryPolicy(testAccount, "prod", "us-east-1")
	sids := map[string]iam.Statement{}
	for _, s := range doc.Statement {
		sids[s.Sid] = s
	}
	keys, ok := sids["KeysOnlyThroughSecretsManagerInUsEast1"]
	require.True(t, ok)
	assert.Equal(t, iam.Strings{"arn:aws:kms:us-east-1:111122223333:key/*"}, keys.Resource)
	assert.Equal(t, iam.Strings{"secretsmanager.us-east-1.amazonaws.com"}, keys.Condition["StringEquals"]["kms:ViaService"])
	assert.Equal(t, iam.Strings{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"}, keys.Action)
	assert.Equal(t, iam.Strings{"arn:aws:events:eu-west-1:111122223333:event-bus/default"}, sids["ForwardAlertsToTheStacksRegion"].Resource)
	assert.NotContains(t, iam.BoundaryPolicy(testAccount, "prod").Statement, sids["ForwardAlertsToTheStacksRegion"], "no replica region, no forwarding")
	n, err := iam.CompactLen(iam.BoundaryPolicy(testAccount, "e"+"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "us-east-1", "eu-central-1", "ap-southeast-2"))
	require.NoError(t, err)
	assert.LessOrEqual(t, n, iam.ManagedPolicyMaxChars)
}
