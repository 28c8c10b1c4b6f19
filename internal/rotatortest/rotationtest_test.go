package rotatortest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/rotator/engine"
)

// suffixStrategy derives the new value from the current one, so that a test can
// tell which value every version holds.
type suffixStrategy struct{}

func (suffixStrategy) Name() string { return "suffix" }
func (suffixStrategy) Create(_ context.Context, r engine.Rotation) ([]byte, error) {
	return append(append([]byte{}, r.Current.Value...), "+"...), nil
}
func (suffixStrategy) Set(context.Context, engine.Rotation) error  { return nil }
func (suffixStrategy) Test(context.Context, engine.Rotation) error { return nil }

func TestEnv(t *testing.T) {
	env := rotatortest.New(t)

	t.Run("StartRotation stages an empty AWSPENDING under the token", func(t *testing.T) {
		sec := env.CreateSecret(t, "/test/rt/start", "v1")
		token := env.StartRotation(t, sec.ARN)
		stages := env.Stages(t, sec.ARN)
		assert.Equal(t, []string{engine.StagePending}, stages[token])
		assert.Equal(t, []string{engine.StageCurrent}, stages[sec.VersionID])

		_, err := env.SM.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{
			SecretId: aws.String(sec.ARN), VersionId: aws.String(token), VersionStage: aws.String(engine.StagePending),
		})
		var nf *types.ResourceNotFoundException
		assert.True(t, errors.As(err, &nf), "pending value before createSecret: got %v, want ResourceNotFoundException", err)
	})

	t.Run("Counter counts calls by operation", func(t *testing.T) {
		sec := env.CreateSecret(t, "/test/rt/count", "v1")
		c := rotatortest.NewCounter()
		sm := env.Client(c)
		for range 2 {
			_, err := sm.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(sec.ARN)})
			require.NoError(t, err)
		}
		_, err := sm.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(sec.ARN), VersionStage: aws.String(engine.StageCurrent)})
		require.NoError(t, err)
		assert.Equal(t, map[string]int{"DescribeSecret": 2, "GetSecretValue": 1}, c.Counts())
		assert.Equal(t, 3, c.Total())
		c.Reset()
		assert.Zero(t, c.Total())
	})

	t.Run("two rotations in a row through a Handler", func(t *testing.T) {
		sec := env.CreateSecret(t, "/test/rt/rotate", "v1")
		h := engine.NewHandler(env.Client(nil), suffixStrategy{}, rotatortest.Logger(t))
		for _, want := range []string{"v1+", "v1++"} {
			before := env.Current(t, sec.ARN)
			token := env.Rotate(t, h, sec.ARN)
			got := env.AssertRotated(t, sec.ARN, before, token)
			assert.True(t, got.Value == want, "current value is not %s's suffix rotation (values not shown)", before.ID)
		}
	})

	t.Run("AssertUnchanged holds before any step", func(t *testing.T) {
		sec := env.CreateSecret(t, "/test/rt/unchanged", "v1")
		before := env.Current(t, sec.ARN)
		env.StartRotation(t, sec.ARN)
		env.AssertUnchanged(t, sec.ARN, before)
		assert.Equal(t, sec.VersionID, before.ID)
	})
}

func TestNewTokenIsAUUID(t *testing.T) {
	a, b := rotatortest.NewToken(), rotatortest.NewToken()
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, a)
	assert.NotEqual(t, a, b)
}
