package engine_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/engine"
	"github.com/acme/secrets-platform/rotator/strategy/random"
)

// The protocol against moto as Secrets Manager, with the random strategy as
// the simplest real one. What every strategy must survive (steps twice,
// crashes, abandoned and wrong tokens, a failing testSecret, the
// configuration test) is the conformance suite in internal/rotatortest, run
// over every strategy from cmd/rotator.

func randomStrategy(t testing.TB) engine.Strategy {
	t.Helper()
	s, err := random.New(contract.PasswordShape{})
	require.NoError(t, err)
	return s
}

func TestFullRotationCallBudget(t *testing.T) {
	env := rotatortest.New(t)
	sec := env.CreateSecret(t, "/test/engine/budget", "initial-value")
	calls := rotatortest.NewCounter()
	h := engine.NewHandler(env.Client(calls), randomStrategy(t), rotatortest.Logger(t))

	before := env.Current(t, sec.ARN)
	token := env.Rotate(t, h, sec.ARN)
	env.AssertRotated(t, sec.ARN, before, token)

	assert.Equal(t, map[string]int{
		"DescribeSecret":           4, // one per step
		"GetSecretValue":           2, // pending lookup and current value in createSecret
		"PutSecretValue":           1,
		"UpdateSecretVersionStage": 1,
	}, calls.Counts(), "Secrets Manager calls per rotation (8)")
}

func TestATokenThatLostAWSPENDINGIsRefused(t *testing.T) {
	env := rotatortest.New(t)
	h := engine.NewHandler(env.Client(nil), randomStrategy(t), rotatortest.Logger(t))
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
}
