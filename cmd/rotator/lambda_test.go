package main

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/internal/testenv"
	"github.com/acme/secrets-platform/rotator/engine"
	ring "github.com/acme/secrets-platform/secretcache/keyring"
)

// The compiled bootstrap, run by aws-lambda-rie against moto: the test plays
// Secrets Manager and POSTs the four rotation events, as the service invokes
// the function.

func TestCompiledRotator(t *testing.T) {
	env := rotatortest.New(t)
	bootstrap := testenv.BuildBootstrap(t, "./cmd/rotator")

	t.Run("random", func(t *testing.T) {
		fn := testenv.NewLambda(t, bootstrap, append(env.Moto.Env(), "ROTATION_STRATEGY=random", "RANDOM_LENGTH=24"))
		r := rotatortest.LambdaRotator(fn)

		t.Run("full rotation", func(t *testing.T) {
			sec := env.CreateSecret(t, "/test/lambda/random", "first-value")
			before := env.Current(t, sec.ARN)
			token := env.Rotate(t, r, sec.ARN)
			got := env.AssertRotated(t, sec.ARN, before, token)
			assert.Len(t, got.Value, 24, "RANDOM_LENGTH reached the function")

			inits := fn.InitDurations()
			require.Len(t, inits, 1, "aws-lambda-rie reported one init phase for the first invoke")
			t.Logf("cold start: init phase %v (target < 50ms; see BenchmarkColdStart)", inits[0])
		})

		t.Run("every step twice", func(t *testing.T) {
			sec := env.CreateSecret(t, "/test/lambda/twice", "first-value")
			before := env.Current(t, sec.ARN)
			token := env.StartRotation(t, sec.ARN)
			var pending string
			for _, step := range rotatortest.Steps() {
				rotatortest.RunSteps(t, r, sec.ARN, token, step, step)
				if step == engine.StepCreate {
					pending = env.Value(t, sec.ARN, token, engine.StagePending).Value
				}
			}
			got := env.AssertRotated(t, sec.ARN, before, token)
			assert.True(t, got.Value == pending, "the second createSecret must keep the first value (values not shown)")
		})

		steps := rotatortest.Steps()
		for k := 1; k <= len(steps); k++ {
			t.Run("crash after "+steps[k-1], func(t *testing.T) {
				sec := env.CreateSecret(t, fmt.Sprintf("/test/lambda/crash-%d", k), "first-value")
				before := env.Current(t, sec.ARN)
				token := env.StartRotation(t, sec.ARN)
				rotatortest.RunSteps(t, r, sec.ARN, token, steps[:k]...)
				rotatortest.RunSteps(t, r, sec.ARN, token)
				env.AssertRotated(t, sec.ARN, before, token)
			})
		}

		t.Run("abandoned AWSPENDING from an earlier token", func(t *testing.T) {
			sec := env.CreateSecret(t, "/test/lambda/abandoned", "first-value")
			before := env.Current(t, sec.ARN)
			stale := env.StartRotation(t, sec.ARN)
			rotatortest.RunSteps(t, r, sec.ARN, stale, engine.StepCreate)
			abandoned := env.Value(t, sec.ARN, stale, engine.StagePending)

			token := env.Rotate(t, r, sec.ARN)
			got := env.AssertRotated(t, sec.ARN, before, token)
			assert.False(t, got.Value == abandoned.Value, "the abandoned value must not become current (values not shown)")
			err := rotatortest.Step(t.Context(), r, sec.ARN, stale, engine.StepSet)
			require.Error(t, err)
			assert.Contains(t, err.Error(), engine.ErrNotPending.Error())
		})

		t.Run("a failing step is a function error without values", func(t *testing.T) {
			sec := env.CreateSecret(t, "/test/lambda/failing", "first-value")
			before := env.Current(t, sec.ARN)
			token := env.StartRotation(t, sec.ARN)
			err := rotatortest.Step(t.Context(), r, sec.ARN, rotatortest.NewToken(), engine.StepCreate)
			require.Error(t, err)
			assert.Contains(t, err.Error(), engine.ErrUnknownVersion.Error())
			assert.False(t, strings.Contains(err.Error(), before.Value), "error must not contain the secret value")
			env.AssertUnchanged(t, sec.ARN, before)
			assert.Equal(t, []string{engine.StagePending}, env.Stages(t, sec.ARN)[token])
		})
	})

	t.Run("keyring: three rotations, all data readable", func(t *testing.T) {
		fn := testenv.NewLambda(t, bootstrap, append(env.Moto.Env(), "ROTATION_STRATEGY=keyring"))
		r := rotatortest.LambdaRotator(fn)
		k1 := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", ring.KeySize)))
		sec := env.CreateSecret(t, "/test/lambda/keyring", fmt.Sprintf(`{"active":"k1","keys":{"k1":%q}}`, k1))

		var sealed [][]byte
		var plain []string
		for i := 1; i <= 3; i++ {
			cur, err := ring.Parse([]byte(env.Current(t, sec.ARN).Value))
			require.NoError(t, err)
			p := fmt.Sprintf("data under %s", cur.Active())
			c, err := cur.Encrypt([]byte(p), nil)
			require.NoError(t, err)
			sealed, plain = append(sealed, c), append(plain, p)

			before := env.Current(t, sec.ARN)
			token := env.Rotate(t, r, sec.ARN)
			env.AssertRotated(t, sec.ARN, before, token)
		}
		final, err := ring.Parse([]byte(env.Current(t, sec.ARN).Value))
		require.NoError(t, err)
		assert.Equal(t, 4, final.Len())
		for i, c := range sealed {
			got, err := final.Decrypt(c, nil)
			if assert.NoError(t, err, "data %d", i) {
				assert.Equal(t, plain[i], string(got))
			}
		}
	})
}
