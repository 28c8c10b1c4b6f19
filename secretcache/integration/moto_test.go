package integration_test

import (
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/testenv"
	"github.com/acme/secrets-platform/secretcache"
	"github.com/acme/secrets-platform/secretcache/integration/internal/awstest"
)

// TestMotoConcurrentMissesMakeOneCall is the proof against the real
// protocol: 100 goroutines that miss the same secret together cost one
// GetSecretValue.
func TestMotoConcurrentMissesMakeOneCall(t *testing.T) {
	m := testenv.NewMoto(t)
	sm := awstest.Client(t, m)
	_, err := sm.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{
		Name: aws.String("prod/orders/api-key"), SecretString: aws.String("k-123"),
	})
	require.NoError(t, err)

	api := &awstest.Counting{Client: sm}
	c, err := secretcache.New(api)
	require.NoError(t, err)

	const readers = 100
	start := make(chan struct{})
	errs := make(chan error, readers)
	var wg sync.WaitGroup
	for range readers {
		wg.Go(func() {
			<-start
			got, err := c.GetString(t.Context(), "prod/orders/api-key")
			if err == nil && got != "k-123" {
				err = assert.AnError
			}
			errs <- err
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, int64(1), api.Calls(), "GetSecretValue calls for %d concurrent misses: got %d, want 1", readers, api.Calls())
}

// TestMotoVersionStages reads AWSCURRENT, AWSPENDING, AWSPREVIOUS and a
// version ID of one secret from moto.
func TestMotoVersionStages(t *testing.T) {
	m := testenv.NewMoto(t)
	sm := awstest.Client(t, m)
	ctx := t.Context()
	id := "prod/orders/token"
	first, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(id), SecretString: aws.String("one")})
	require.NoError(t, err)
	_, err = sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId: aws.String(id), SecretString: aws.String("two"),
		ClientRequestToken: aws.String("00000000-0000-0000-0000-000000000002"),
	})
	require.NoError(t, err)
	_, err = sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId: aws.String(id), SecretString: aws.String("three"),
		ClientRequestToken: aws.String("00000000-0000-0000-0000-000000000003"),
		VersionStages:      []string{secretcache.StagePending},
	})
	require.NoError(t, err)

	c, err := secretcache.New(sm)
	require.NoError(t, err)
	tests := []struct {
		name string
		ver  secretcache.Version
		want string
	}{
		{"current", secretcache.Version{}, "two"},
		{"previous", secretcache.Version{Stage: secretcache.StagePrevious}, "one"},
		{"pending", secretcache.Version{Stage: secretcache.StagePending}, "three"},
		{"version id", secretcache.Version{ID: aws.ToString(first.VersionId)}, "one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.GetStringVersion(ctx, id, tt.ver)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
