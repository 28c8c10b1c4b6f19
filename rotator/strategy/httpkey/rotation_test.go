package httpkey

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/rotator/engine"
	"github.com/acme/secrets-platform/rotator/grace"
)

// keyOf returns the key id a secret value holds.
func keyOf(t *testing.T, v string) string {
	t.Helper()
	var val struct {
		KeyID string `json:"keyId"`
	}
	require.NoError(t, json.Unmarshal([]byte(v), &val), "secret value is not JSON")
	return val.KeyID
}

// TestRotationLifecycle drives the strategy through the engine against moto, as
// Secrets Manager and the sweep schedule would: a rotation, a second rotation
// refused inside the grace, sweeps before and after the grace, the refused
// rotation retried after the grace, and repeated sweeps.
func TestRotationLifecycle(t *testing.T) {
	env := rotatortest.New(t)
	calls := rotatortest.NewCounter()
	sm := env.Client(calls)
	f := newFixture(t, env.SM, "lifecycle", "")
	clk := &rotatortest.Clock{}
	s, err := New(Config{
		BaseURL: f.baseURL, AdminSecretARN: f.adminARN, SecretsManager: sm,
		HTTP: &http.Client{Timeout: 5 * time.Second}, Grace: time.Hour, Now: clk.Now,
	})
	require.NoError(t, err)
	h := engine.NewHandler(sm, s, rotatortest.Logger(t))
	sweeper, err := grace.NewSweeper(sm, s, time.Hour, clk.Now)
	require.NoError(t, err)
	sweep := func() grace.Result {
		t.Helper()
		res, err := sweeper.Sweep(context.Background(), grace.SweepEvent{SecretID: f.secretARN, Action: grace.ActionRevokeExpired})
		require.NoError(t, err, "sweep")
		return res
	}
	ctx := context.Background()

	// First rotation: a new key, active and working; the old one untouched.
	before := env.Current(t, f.secretARN)
	calls.Reset()
	tok1 := env.Rotate(t, h, f.secretARN)
	t.Logf("first rotation: %d AWS calls %v", calls.Total(), calls.Counts())
	assert.LessOrEqual(t, calls.Total(), 13, "AWS calls for one rotation = %d, want at most 13", calls.Total())
	first := env.AssertRotated(t, f.secretARN, before, tok1)
	key1 := keyOf(t, first.Value)
	k1, ok := f.p.key(key1)
	require.True(t, ok, "new key %s not at the provider", key1)
	assert.True(t, k1.active, "new key %s is inactive, want active", key1)
	assert.True(t, f.p.isActive(f.oldKey.id), "old key %s revoked at the switch, want it kept for the grace", f.oldKey.id)

	// A sweep inside the grace revokes nothing.
	res := sweep()
	assert.Equal(t, grace.OutcomeWithinGrace, res.Outcome, "sweep outcome = %s, want %s", res.Outcome, grace.OutcomeWithinGrace)
	assert.Empty(t, f.p.deletedKeys(), "deleted %v inside the grace, want none", f.p.deletedKeys())

	// A second rotation inside the grace is refused at createSecret.
	mid := env.Current(t, f.secretARN)
	tok2 := env.StartRotation(t, f.secretARN)
	err = rotatortest.Step(ctx, h, f.secretARN, tok2, engine.StepCreate)
	require.ErrorIs(t, err, grace.ErrPreviousKeyInGrace)
	f.assertNoSecret(t, err)
	env.AssertUnchanged(t, f.secretARN, mid)
	assert.Empty(t, f.p.deletedKeys(), "deleted %v by the refused rotation, want none", f.p.deletedKeys())

	// After the grace, Secrets Manager's retry of the same token revokes the
	// expired previous key first and completes.
	clk.Advance(time.Hour + time.Minute)
	rotatortest.RunSteps(t, h, f.secretARN, tok2)
	second := env.AssertRotated(t, f.secretARN, mid, tok2)
	assert.Equal(t, []string{f.oldKey.id}, f.p.deletedKeys(), "deleted %v, want exactly the expired key %s", f.p.deletedKeys(), f.oldKey.id)
	assert.True(t, f.p.isActive(key1), "key %s (now AWSPREVIOUS) revoked at once, want it kept for its grace", key1)
	assert.True(t, f.p.isActive(keyOf(t, second.Value)), "current key revoked, want it active")

	// Past the second grace the sweep revokes exactly AWSPREVIOUS, and again
	// idempotently, never the current key.
	clk.Advance(time.Hour + time.Minute)
	for i := range 2 {
		res = sweep()
		assert.Equal(t, grace.OutcomeRevoked, res.Outcome, "sweep %d outcome = %s, want %s", i+1, res.Outcome, grace.OutcomeRevoked)
		assert.Equal(t, key1, res.KeyID, "sweep %d revoked %s, want %s", i+1, res.KeyID, key1)
	}
	assert.Equal(t, []string{f.oldKey.id, key1}, f.p.deletedKeys(), "deleted %v, want %s then %s", f.p.deletedKeys(), f.oldKey.id, key1)
	assert.True(t, f.p.isActive(keyOf(t, second.Value)), "current key revoked by the sweep, want it active")
}

// TestRotationFailsAtTheRightStep runs whole rotations through the engine with
// the provider failing one call, and checks that AWSCURRENT stays put.
func TestRotationFailsAtTheRightStep(t *testing.T) {
	env := rotatortest.New(t)
	tests := []struct {
		name     string
		failOp   string
		failStep string
	}{
		{name: "create", failOp: opCreate, failStep: engine.StepCreate},
		{name: "lookup", failOp: opList, failStep: engine.StepCreate},
		{name: "activate", failOp: opActivate, failStep: engine.StepSet},
		{name: "test", failOp: opWhoami, failStep: engine.StepTest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, env.SM, "fail-"+tt.name, "")
			f.p.failOn(tt.failOp, http.StatusInternalServerError)
			h := engine.NewHandler(env.SM, f.strategy(t, time.Now), rotatortest.Logger(t))
			before := env.Current(t, f.secretARN)
			tok := env.StartRotation(t, f.secretARN)
			var failed string
			var err error
			for _, step := range rotatortest.Steps() {
				if err = rotatortest.Step(context.Background(), h, f.secretARN, tok, step); err != nil {
					failed = step
					break
				}
			}
			require.Error(t, err, "rotation succeeded, want %s to fail", tt.failStep)
			assert.Equal(t, tt.failStep, failed, "failed at %s, want %s: %v", failed, tt.failStep, err)
			f.assertNoSecret(t, err)
			env.AssertUnchanged(t, f.secretARN, before)
			assert.Empty(t, f.p.deletedKeys(), "deleted %v, want none", f.p.deletedKeys())
		})
	}
}
