package engine_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/rotator/engine"
	"github.com/acme/secrets-platform/rotator/strategy/random"
)

// The protocol against moto as Secrets Manager, with the random strategy as
// the simplest real one.

func randomStrategy(t testing.TB) engine.Strategy {
	t.Helper()
	p, err := random.NewPolicy(32, []string{"lower", "upper", "digits"}, "")
	require.NoError(t, err)
	return random.New(p, "", nil)
}

func TestFullRotationCallBudget(t *testing.T) {
	env := rotatortest.New(t)
	sec := env.CreateSecret(t, "/test/engine/budget", "initial-value")
	calls := rotatortest.NewCounter()
	h := engine.NewHandler(env.Client(calls), randomStrategy(t), rotatortest.Logger(t))

	before := env.Current(t, sec.ARN)
	token := env.Rotate(t, h, sec.ARN)
	env.AssertRotated(t, sec.ARN, before, token)

	assert.LessOrEqual(t, calls.Total(), 8, "Secrets Manager calls per rotation: got %v", calls.Counts())
	assert.Equal(t, map[string]int{
		"DescribeSecret":           4, // one per step
		"GetSecretValue":           2, // pending lookup and current value in createSecret
		"PutSecretValue":           1,
		"UpdateSecretVersionStage": 1,
	}, calls.Counts())
}

func TestEveryStepTwiceGivesTheSameEndState(t *testing.T) {
	env := rotatortest.New(t)
	sec := env.CreateSecret(t, "/test/engine/twice", "initial-value")
	h := engine.NewHandler(env.Client(nil), randomStrategy(t), rotatortest.Logger(t))
	before := env.Current(t, sec.ARN)
	token := env.StartRotation(t, sec.ARN)

	var pending string
	for _, step := range rotatortest.Steps() {
		for i := range 2 {
			require.NoError(t, rotatortest.Step(t.Context(), h, sec.ARN, token, step), "%s #%d", step, i+1)
			if step == engine.StepCreate {
				v := env.Value(t, sec.ARN, token, engine.StagePending).Value
				if i == 0 {
					pending = v
				}
				assert.True(t, v == pending, "a repeated createSecret must keep the first pending value (values not shown)")
			}
		}
	}
	got := env.AssertRotated(t, sec.ARN, before, token)
	assert.True(t, got.Value == pending, "the value made current is the one created first (values not shown)")
}

func TestCrashAfterEachStepThenRetry(t *testing.T) {
	env := rotatortest.New(t)
	steps := rotatortest.Steps()
	for k := 1; k <= len(steps); k++ {
		t.Run(fmt.Sprintf("after %s", steps[k-1]), func(t *testing.T) {
			sec := env.CreateSecret(t, fmt.Sprintf("/test/engine/crash-%d", k), "initial-value")
			before := env.Current(t, sec.ARN)
			token := env.StartRotation(t, sec.ARN)

			// The first attempt dies after step k: its work is done but
			// Secrets Manager never heard of it.
			crashed := engine.NewHandler(env.Client(nil), randomStrategy(t), nil)
			rotatortest.RunSteps(t, crashed, sec.ARN, token, steps[:k]...)

			// Secrets Manager retries the rotation with the same token, on a
			// fresh Lambda instance.
			retry := engine.NewHandler(env.Client(nil), randomStrategy(t), rotatortest.Logger(t))
			rotatortest.RunSteps(t, retry, sec.ARN, token)
			env.AssertRotated(t, sec.ARN, before, token)
		})
	}
}

func TestAbandonedPendingFromAnEarlierToken(t *testing.T) {
	env := rotatortest.New(t)
	h := engine.NewHandler(env.Client(nil), randomStrategy(t), rotatortest.Logger(t))

	t.Run("a new token replaces it and the stale token is refused", func(t *testing.T) {
		sec := env.CreateSecret(t, "/test/engine/abandoned", "initial-value")
		before := env.Current(t, sec.ARN)
		stale := env.StartRotation(t, sec.ARN)
		rotatortest.RunSteps(t, h, sec.ARN, stale, engine.StepCreate, engine.StepSet)
		abandoned := env.Value(t, sec.ARN, stale, engine.StagePending)

		// A later rotation with a new token: as with the AWS templates, its
		// createSecret puts a fresh value and AWSPENDING moves to it.
		token := env.Rotate(t, h, sec.ARN)
		got := env.AssertRotated(t, sec.ARN, before, token)
		assert.False(t, got.Value == abandoned.Value, "the abandoned value must not become current (values not shown)")
		assert.Empty(t, env.Stages(t, sec.ARN)[stale], "the abandoned version keeps no stage")

		// The stale token, retried late, is neither current nor pending.
		err := rotatortest.Step(t.Context(), h, sec.ARN, stale, engine.StepFinish)
		assert.ErrorIs(t, err, engine.ErrNotPending)
		env.AssertRotated(t, sec.ARN, before, token)
	})

	t.Run("a token that lost AWSPENDING to another version is refused", func(t *testing.T) {
		sec := env.CreateSecret(t, "/test/engine/pending-elsewhere", "initial-value")
		before := env.Current(t, sec.ARN)
		other := env.StartRotation(t, sec.ARN)
		rotatortest.RunSteps(t, h, sec.ARN, other, engine.StepCreate)
		token := env.StartRotation(t, sec.ARN)
		_, err := env.SM.UpdateSecretVersionStage(t.Context(), updateStage(sec.ARN, engine.StagePending, other, token))
		require.NoError(t, err)

		for _, step := range rotatortest.Steps() {
			err := rotatortest.Step(t.Context(), h, sec.ARN, token, step)
			assert.ErrorIs(t, err, engine.ErrNotPending, step)
		}
		env.AssertUnchanged(t, sec.ARN, before)
	})
}

// failingTest is a strategy whose testSecret fails, as when the new value does
// not work downstream.
type failingTest struct{ engine.Strategy }

var errDownstream = errors.New("downstream refused the new value")

func (failingTest) Test(context.Context, engine.Rotation) error { return errDownstream }

func TestFailingTestSecretLeavesCurrentUntouched(t *testing.T) {
	env := rotatortest.New(t)
	sec := env.CreateSecret(t, "/test/engine/failing-test", "initial-value")
	before := env.Current(t, sec.ARN)
	h := engine.NewHandler(env.Client(nil), failingTest{randomStrategy(t)}, rotatortest.Logger(t))
	token := env.StartRotation(t, sec.ARN)

	rotatortest.RunSteps(t, h, sec.ARN, token, engine.StepCreate, engine.StepSet)
	for range 2 { // Secrets Manager retries the failed step
		err := rotatortest.Step(t.Context(), h, sec.ARN, token, engine.StepTest)
		require.ErrorIs(t, err, errDownstream)
		assert.Contains(t, err.Error(), sec.ARN)
		assert.False(t, strings.Contains(err.Error(), env.Value(t, sec.ARN, token, engine.StagePending).Value), "error must not contain the pending value")
	}
	env.AssertUnchanged(t, sec.ARN, before)
	assert.Equal(t, []string{engine.StagePending}, env.Stages(t, sec.ARN)[token], "the pending version waits for a retry")
}
