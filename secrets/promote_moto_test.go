package secrets_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/internal/testenv"
)

// TestPromoteReplicaRunbookStepsInMoto runs, against moto's Secrets
// Manager in two regions, the steps of docs/runbooks/promote-replica.md that
// moto implements: a replica follows its primary and refuses writes; a
// standalone secret of the replica's name in the replica region (what a
// promoted replica is) makes replication fail rather than be overwritten,
// which is what a pulumi up does with forceOverwriteReplicaSecret false; the
// bring-back puts the standalone's value into the primary first, then
// replicates over the standalone, so the value written during the outage is
// current everywhere and the primary's old one stays AWSPREVIOUS; and a
// primary with replicas cannot be deleted. moto 5.2.1 has no
// StopReplicationToReplica, so the promotion itself is not run here: the
// test starts from the state it leaves (the region gone from the primary's
// replication, a standalone of the same name in the region).
func TestPromoteReplicaRunbookStepsInMoto(t *testing.T) {
	m := testenv.NewMoto(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	client := func(region string) *secretsmanager.Client {
		cfg := rotatortest.Config(m)
		cfg.Region = region
		return secretsmanager.NewFromConfig(cfg)
	}
	primary, replica := client("eu-west-1"), client("us-east-1")
	const name = "/prod/app/encryption-key"
	// Test values only: what matters is which one ends up current where.
	const before, during = `{"active":"k1","keys":{"k1":"test-before"}}`, `{"active":"k2","keys":{"k2":"test-during"}}`

	created, err := primary.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(before),
		AddReplicaRegions: []smtypes.ReplicaRegionType{{Region: aws.String("us-east-1")}}})
	require.NoError(t, err)
	require.Len(t, created.ReplicationStatus, 1)
	assert.Equal(t, smtypes.StatusTypeInSync, created.ReplicationStatus[0].Status)
	replicaARN := iam.ARNInRegion(*created.ARN, "us-east-1")

	read := func(c *secretsmanager.Client, id, stage string) string {
		t.Helper()
		out, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id), VersionStage: aws.String(stage)})
		require.NoError(t, err)
		return aws.ToString(out.SecretString)
	}
	assert.True(t, read(replica, replicaARN, "AWSCURRENT") == before, "the replica holds the primary's value")
	_, err = replica.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(replicaARN), SecretString: aws.String(during)})
	assert.Error(t, err, "a replica refuses writes: rotation and puts stay with the primary")
	_, err = primary.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: created.ARN, RecoveryWindowInDays: aws.Int64(30)})
	assert.Error(t, err, "a primary with replicas cannot be deleted")

	// The state a promotion leaves: the region gone from the primary's
	// replication, a standalone secret of the name there, written to
	// during the outage.
	_, err = primary.RemoveRegionsFromReplication(ctx, &secretsmanager.RemoveRegionsFromReplicationInput{SecretId: created.ARN, RemoveReplicaRegions: []string{"us-east-1"}})
	require.NoError(t, err)
	_, err = replica.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name), VersionStage: aws.String("AWSCURRENT")})
	var notFound *smtypes.ResourceNotFoundException
	assert.True(t, errors.As(err, &notFound), "removing a region deletes its replica: during an outage, promote, never remove (got %v)", err)
	_, err = replica.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(during)})
	require.NoError(t, err)

	// pulumi up (forceOverwriteReplicaSecret false) re-adds the region:
	// replication fails, the standalone is left as it is.
	again, err := primary.ReplicateSecretToRegions(ctx, &secretsmanager.ReplicateSecretToRegionsInput{SecretId: created.ARN,
		AddReplicaRegions: []smtypes.ReplicaRegionType{{Region: aws.String("us-east-1")}}, ForceOverwriteReplicaSecret: false})
	require.NoError(t, err)
	require.Len(t, again.ReplicationStatus, 1)
	assert.Equal(t, smtypes.StatusTypeFailed, again.ReplicationStatus[0].Status, "a secret of the name in the region is never overwritten by default")
	assert.True(t, read(replica, name, "AWSCURRENT") == during, "the standalone keeps the value written during the outage")
	_, err = primary.RemoveRegionsFromReplication(ctx, &secretsmanager.RemoveRegionsFromReplicationInput{SecretId: created.ARN, RemoveReplicaRegions: []string{"us-east-1"}})
	require.NoError(t, err, "the failed region is dropped before the bring-back")

	// Bring-back: the outage's value into the primary first, then replicate
	// over the standalone.
	_, err = primary.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: created.ARN, SecretString: aws.String(read(replica, name, "AWSCURRENT"))})
	require.NoError(t, err)
	back, err := primary.ReplicateSecretToRegions(ctx, &secretsmanager.ReplicateSecretToRegionsInput{SecretId: created.ARN,
		AddReplicaRegions: []smtypes.ReplicaRegionType{{Region: aws.String("us-east-1")}}, ForceOverwriteReplicaSecret: true})
	require.NoError(t, err)
	require.Len(t, back.ReplicationStatus, 1)
	assert.Equal(t, smtypes.StatusTypeInSync, back.ReplicationStatus[0].Status)
	assert.True(t, read(primary, name, "AWSCURRENT") == during, "the value written during the outage is current in the primary")
	assert.True(t, read(primary, name, "AWSPREVIOUS") == before, "and the primary's value before the outage is kept as AWSPREVIOUS")
	assert.True(t, read(replica, replicaARN, "AWSCURRENT") == during, "the replica is the primary's again")
}
