package rotatortest

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/acme/secrets-platform/rotator/engine"
	"github.com/acme/secrets-platform/rotator/grace"
)

// firstValueWins is Secrets Manager's answer to a second PutSecretValue for
// a version that already holds a different value, which moto does not give
// (moto overwrites it): "If a version with this value of ClientRequestToken
// already exists and you specify a SecretString or SecretBinary value that's
// different from the one in the existing version, then the operation fails"
// with ResourceExistsException (AWS Secrets Manager API reference,
// PutSecretValue). It is that one rule, in front of moto, and nothing else.
type firstValueWins struct {
	engine.SecretsAPI
}

// PutSecretValue applies AWS's rule, then moto.
func (f firstValueWins) PutSecretValue(ctx context.Context, in *secretsmanager.PutSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error) {
	out, err := f.SecretsAPI.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: in.SecretId, VersionId: in.ClientRequestToken})
	if err == nil && aws.ToString(out.SecretString) != aws.ToString(in.SecretString) {
		return nil, &types.ResourceExistsException{Message: aws.String("You can't modify an existing version, you can only create a new version.")}
	}
	return f.SecretsAPI.PutSecretValue(ctx, in, optFns...)
}

// hooked runs beforePut when a PutSecretValue starts and afterPut when it
// returns (so before the engine reads AWSPENDING back), and records the value
// it was asked to store: the key this invocation minted.
type hooked struct {
	engine.SecretsAPI
	beforePut, afterPut func()
	mu                  sync.Mutex
	put                 string
}

// PutSecretValue runs the hooks around the call.
func (h *hooked) PutSecretValue(ctx context.Context, in *secretsmanager.PutSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error) {
	h.mu.Lock()
	h.put = aws.ToString(in.SecretString)
	h.mu.Unlock()
	if h.beforePut != nil {
		h.beforePut()
	}
	out, err := h.SecretsAPI.PutSecretValue(ctx, in, optFns...)
	if h.afterPut != nil {
		h.afterPut()
	}
	return out, err
}

func (h *hooked) minted() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.put
}

// concurrentCreate runs two createSecret invocations for one token that both
// mint a key before either stores it, in two interleavings (the first
// invocation reads its value back after the second stored its own, or
// before), against a store that keeps the first value (AWS) or the last
// (moto). After finishSecret and a sweep past the grace exactly one of the
// two keys is live: the one AWSCURRENT holds.
func (c suite) concurrentCreate(t *testing.T) {
	for _, store := range []struct {
		name string
		wrap func(engine.SecretsAPI) engine.SecretsAPI
	}{
		{"AWS keeps the first value", func(s engine.SecretsAPI) engine.SecretsAPI { return firstValueWins{s} }},
		{"moto keeps the last value", func(s engine.SecretsAPI) engine.SecretsAPI { return s }},
	} {
		for _, order := range []string{"both put, then both read back", "the first reads back before the second puts"} {
			t.Run(store.name+", "+order, func(t *testing.T) { c.concurrentCreateCase(t, store.wrap, order == "both put, then both read back") })
		}
	}
}

func (c suite) concurrentCreateCase(t *testing.T, wrap func(engine.SecretsAPI) engine.SecretsAPI, interleaved bool) {
	arn, before := c.secret(t, "concurrent")
	clk := &Clock{}
	sm := c.e.Client(nil)
	// Both invocations look their key name up before either mints: the
	// provider holds every create until the other invocation's arrives.
	mints := newBarrier(2)
	defer c.s.Before("create", mints.wait)()
	aAtPut, bAtPut, aPutDone, bPutDone := make(chan struct{}), make(chan struct{}), make(chan struct{}), make(chan struct{})
	done := []chan struct{}{make(chan struct{}), make(chan struct{})}
	a := &hooked{SecretsAPI: wrap(sm)}
	b := &hooked{SecretsAPI: wrap(sm)}
	if interleaved { // A puts, B puts, A reads back, B reads back
		a.beforePut = func() { close(aAtPut); waitFor(bAtPut, done[1]) }
		a.afterPut = func() { close(aPutDone); waitFor(bPutDone, done[1]) }
		b.beforePut = func() { close(bAtPut); waitFor(aPutDone, done[0]) }
		b.afterPut = func() { close(bPutDone) }
	} else { // A puts and reads back, then B puts and reads back
		a.beforePut = func() { close(aAtPut); waitFor(bAtPut, done[1]) }
		b.beforePut = func() { close(bAtPut); waitFor(done[0], nil) }
	}
	token := c.e.StartRotation(t, arn)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, api := range []*hooked{a, b} {
		wg.Go(func() {
			defer close(done[i])
			h := engine.NewHandler(api, c.s.Strategy(t, sm, clk.Now), Logger(t))
			errs[i] = Step(t.Context(), h, arn, token, engine.StepCreate)
		})
	}
	wg.Wait()
	// A createSecret whose put AWS refused keeps the stored value and
	// succeeds all the same. One may fail before it stores anything: a
	// provider whose key names are unique (the http contract) refuses the
	// second key; it then minted nothing.
	for i, err := range errs {
		if err != nil && []*hooked{a, b}[i].minted() != "" {
			t.Errorf("createSecret #%d failed after minting a key: %v", i+1, err)
		}
		c.assertNoSecret(t, err, before.Value)
	}
	if errs[0] != nil && errs[1] != nil {
		t.Fatalf("both createSecret invocations failed: %v; %v", errs[0], errs[1])
	}
	s := c.s.Strategy(t, sm, clk.Now)
	h := engine.NewHandler(sm, s, Logger(t))
	RunSteps(t, h, arn, token, engine.StepSet, engine.StepTest, engine.StepFinish)
	now := c.e.AssertRotated(t, arn, before, token)
	clk.Advance(c.s.Grace + time.Minute)
	sweeper, err := grace.NewSweeper(sm, s.(grace.Revoker), c.s.Grace, clk.Now)
	if err != nil {
		t.Fatalf("new sweeper: %v", err)
	}
	if _, err := sweeper.Sweep(t.Context(), []string{arn}); err != nil {
		t.Fatalf("sweep: %v", err)
	}
	live, minted := 0, 0
	for i, v := range []string{a.minted(), b.minted()} {
		if v == "" {
			continue
		}
		minted++
		if c.s.KeyLive(v) {
			live++
			if !sameKey(v, now.Value) {
				t.Errorf("the key of createSecret #%d is live but AWSCURRENT holds another", i+1)
			}
		}
	}
	if live != 1 {
		t.Errorf("live keys of the two createSecret invocations: %d of %d minted, want exactly 1", live, minted)
	}
	t.Logf("%d keys minted for one token, %d live after finishSecret and a sweep", minted, live)
	if c.s.KeyLive(before.Value) {
		t.Errorf("the replaced key is live past its grace")
	}
	c.assertWorks(t, now.Value, "AWSCURRENT")
}

// sameKey reports whether two values are the same JSON object.
func sameKey(a, b string) bool {
	var x, y map[string]any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}

// graceFromSwitch runs a rotation whose finishSecret comes three hours after
// createSecret (a rotation retried late, as the runbook says to do): the
// replaced key lives until the switch plus the grace, not createSecret plus
// the grace, and is revoked after.
func (c suite) graceFromSwitch(t *testing.T) {
	arn, before := c.secret(t, "late-switch")
	clk := &Clock{}
	sm := c.e.Client(nil)
	s := c.s.Strategy(t, sm, clk.Now)
	h := engine.NewHandler(sm, s, Logger(t))
	sweeper, err := grace.NewSweeper(sm, s.(grace.Revoker), c.s.Grace, clk.Now)
	if err != nil {
		t.Fatalf("new sweeper: %v", err)
	}
	sweep := func(want grace.Outcome, when string) {
		t.Helper()
		res, err := sweeper.Sweep(t.Context(), []string{arn})
		if err != nil {
			t.Fatalf("sweep %s: %v", when, err)
		}
		if res[0].Outcome != want {
			t.Errorf("sweep %s: got %s, want %s", when, res[0].Outcome, want)
		}
	}
	token := c.e.StartRotation(t, arn)
	RunSteps(t, h, arn, token, engine.StepCreate, engine.StepSet, engine.StepTest)
	clk.Advance(3 * time.Hour)
	RunSteps(t, h, arn, token, engine.StepFinish)
	now := c.e.AssertRotated(t, arn, before, token)

	clk.Advance(c.s.Grace - time.Minute)
	sweep(grace.OutcomeWithinGrace, "a minute before switch + grace (3h and more after createSecret)")
	if !c.s.KeyLive(before.Value) {
		t.Errorf("the replaced key was revoked before switch + grace")
	}
	c.assertWorks(t, before.Value, "the replaced key inside its grace")
	clk.Advance(2 * time.Minute)
	sweep(grace.OutcomeRevoked, "a minute after switch + grace")
	if c.s.KeyLive(before.Value) {
		t.Errorf("the replaced key is live after switch + grace")
	}
	c.assertWorks(t, now.Value, "AWSCURRENT after the sweep")
}

// waitFor waits until ch is closed, or until or is (the other invocation
// ended without reaching the point), or 10 s, so that an invocation that
// fails early cannot hang the test.
func waitFor(ch, or chan struct{}) {
	select {
	case <-ch:
	case <-or:
	case <-time.After(10 * time.Second):
	}
}

// barrier releases its waiters once n have arrived (or after 10 s).
type barrier struct {
	mu      sync.Mutex
	n       int
	arrived chan struct{}
}

func newBarrier(n int) *barrier { return &barrier{n: n, arrived: make(chan struct{})} }

func (b *barrier) wait() {
	b.mu.Lock()
	b.n--
	if b.n == 0 {
		close(b.arrived)
	}
	b.mu.Unlock()
	waitFor(b.arrived, nil)
}
