package rotatortest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/acme/secrets-platform/rotator/engine"
	"github.com/acme/secrets-platform/rotator/grace"
)

// Subject is one rotation strategy as the conformance suite sees it: how to
// build it, how to make a secret for it, and how to tell that a value works
// downstream.
type Subject struct {
	// Name names the subject in test names: its contract.Strategy.
	Name string
	// Strategy builds the strategy under test. Every Secrets Manager call it
	// makes goes through sm, and it reads the time from now.
	Strategy func(t testing.TB, sm *secretsmanager.Client, now func() time.Time) engine.Strategy
	// NewSecret creates a secret named name whose first value the downstream
	// accepts, and returns its ARN.
	NewSecret func(t testing.TB, name string) string
	// NewPlaceholder creates a secret named name exactly as the program
	// does (CreatePlaceholderSecret, with the fields the program puts beside
	// the marker) and returns its ARN; the first rotation makes its value.
	NewPlaceholder func(t testing.TB, name string) string
	// Works reports why the downstream refuses value, nil when it accepts it.
	// It is nil for strategies with nothing downstream (random, keyring).
	Works func(ctx context.Context, value string) error
	// PreviousWorks says that the replaced value keeps working after a
	// rotation (alternating users; a key until its grace has passed).
	PreviousWorks bool
	// SecretFields are the JSON fields whose string leaves are secret; none
	// means the whole value is. No error may hold any of them.
	SecretFields []string
	// Secrets returns what else the downstream holds secret (an admin token,
	// a master password), which no error may hold either; nil for none.
	Secrets func() []string
	// Calls is the most Secrets Manager calls one rotation may make, the
	// strategy's own included.
	Calls int
	// Faults make one downstream call fail; a rotation must then fail at the
	// fault's step, leave AWSCURRENT alone, and finish once it is lifted.
	Faults []Fault
	// KeyLive, for strategies that revoke replaced keys (grace.Revoker),
	// reports whether the provider still knows the key value holds; the
	// suite then runs the grace cases with Grace.
	KeyLive func(value string) bool
	// Grace is the grace period of the key strategies' settings.
	Grace time.Duration
	// Before, for the key strategies, runs f before every later call of
	// the stand-in's op (see KeyAPI.Before) and returns the function that
	// removes it; the suite orders concurrent createSecret calls with it.
	Before func(op string, f func()) (remove func())
}

// Fault is one downstream failure a Subject can switch on.
type Fault struct {
	// Name names the fault in test names.
	Name string
	// Step is the step that must fail while the fault is on.
	Step string
	// Inject switches the fault on and returns the function that lifts it.
	Inject func() (lift func())
}

// RunSuite runs the conformance suite over s, against e's moto: a rotation
// within its call budget, a first rotation from the program's placeholder
// (and one that fails and is retried, the configuration test on it, and a
// placeholder rolled back behind a value, which is refused), every step
// twice, a crash after each step then a retry, an abandoned AWSPENDING, a
// failing testSecret, wrong tokens, the configuration test, each of
// s.Faults, and for key strategies the grace (counted from a late switch
// too), nothing revoked for a placeholder, a crash inside createSecret and
// two concurrent createSecret invocations.
func RunSuite(t *testing.T, e *Env, s Subject) {
	c := suite{e: e, s: s}
	t.Run("rotation", c.rotation)
	t.Run("placeholder start", c.placeholderStart)
	t.Run("placeholder start: a failing first rotation is retried", c.placeholderFailedFirst)
	t.Run("placeholder start: configuration test", c.placeholderConfigurationTest)
	t.Run("placeholder behind a value is refused", c.placeholderBehindValue)
	t.Run("every step twice", c.stepsTwice)
	for k, step := range Steps() {
		t.Run("crash after "+step+", then retry", func(t *testing.T) { c.crashAfter(t, k+1) })
	}
	t.Run("abandoned AWSPENDING of an earlier token", c.abandoned)
	t.Run("testSecret fails, then a retry finishes", c.failingTest)
	t.Run("wrong token", c.wrongToken)
	t.Run("configuration test", c.configurationTest)
	for _, f := range s.Faults {
		t.Run("fault: "+f.Name, func(t *testing.T) { c.fault(t, f) })
	}
	if s.KeyLive != nil {
		t.Run("grace: the replaced key lives until its grace has passed", c.grace)
		t.Run("grace: counted from a switch three hours after createSecret", c.graceFromSwitch)
		t.Run("placeholder start: nothing is revoked for the placeholder", c.placeholderRevokesNothing)
		t.Run("a key minted by a crashed createSecret is revoked", c.crashedCreate)
		t.Run("concurrent createSecret leaves one live key", c.concurrentCreate)
	}
}

// suite is one subject's run.
type suite struct {
	e *Env
	s Subject
}

// secret creates a fresh secret for one case.
func (c suite) secret(t *testing.T, name string) (arn string, before Version) {
	t.Helper()
	arn = c.s.NewSecret(t, fmt.Sprintf("/conformance/%s/%s-%s", c.s.Name, name, NewToken()[:8]))
	return arn, c.e.Current(t, arn)
}

// handler is the engine with a fresh instance of the strategy, as a new
// Lambda instance would have it.
func (c suite) handler(t *testing.T, sm *secretsmanager.Client) *engine.Handler {
	return engine.NewHandler(sm, c.s.Strategy(t, sm, time.Now), Logger(t))
}

// assertWorks checks that the downstream accepts value.
func (c suite) assertWorks(t *testing.T, value, what string) {
	t.Helper()
	if c.s.Works == nil {
		return
	}
	if err := c.s.Works(t.Context(), value); err != nil {
		t.Errorf("%s does not work downstream: %v", what, err)
	}
}

// assertNoSecret fails when err holds a secret part of any of values, or a
// secret the downstream holds. The failure never prints the secret.
func (c suite) assertNoSecret(t *testing.T, err error, values ...string) {
	t.Helper()
	if err == nil {
		return
	}
	var secrets []string
	for _, v := range values {
		secrets = append(secrets, secretParts(v, c.s.SecretFields)...)
	}
	if c.s.Secrets != nil {
		secrets = append(secrets, c.s.Secrets()...)
	}
	for i, secret := range secrets {
		if len(secret) >= 8 && strings.Contains(err.Error(), secret) {
			t.Errorf("an error holds secret #%d of %d (error not shown: it would print it)", i+1, len(secrets))
		}
	}
}

// secretParts returns the secret strings of a value: the string leaves under
// fields of a JSON object, or the whole value.
func secretParts(value string, fields []string) []string {
	var obj map[string]any
	if len(fields) == 0 || json.Unmarshal([]byte(value), &obj) != nil {
		return []string{value}
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			out = append(out, v)
		case map[string]any:
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	for _, f := range fields {
		walk(obj[f])
	}
	return out
}

// pendingValue returns the AWSPENDING value of token, "" when there is none.
func (c suite) pendingValue(t *testing.T, arn, token string) string {
	out, err := c.e.SM.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{
		SecretId: aws.String(arn), VersionId: aws.String(token), VersionStage: aws.String(engine.StagePending),
	})
	if err != nil {
		return ""
	}
	return aws.ToString(out.SecretString)
}

func (c suite) rotation(t *testing.T) {
	arn, before := c.secret(t, "rotation")
	calls := NewCounter()
	h := c.handler(t, c.e.Client(calls))
	token := c.e.Rotate(t, h, arn)
	now := c.e.AssertRotated(t, arn, before, token)
	t.Logf("%s: %d Secrets Manager calls per rotation %v", c.s.Name, calls.Total(), calls.Counts())
	if calls.Total() > c.s.Calls {
		t.Errorf("Secrets Manager calls per rotation: got %d %v, want at most %d", calls.Total(), calls.Counts(), c.s.Calls)
	}
	c.assertWorks(t, now.Value, "the new AWSCURRENT")
	if c.s.Works == nil {
		return
	}
	err := c.s.Works(t.Context(), before.Value)
	switch {
	case c.s.PreviousWorks && err != nil:
		t.Errorf("AWSPREVIOUS stopped working at the switch: %v", err)
	case !c.s.PreviousWorks && err == nil:
		t.Errorf("AWSPREVIOUS still works after the rotation, want it replaced")
	}
}

func (c suite) stepsTwice(t *testing.T) {
	arn, before := c.secret(t, "twice")
	h := c.handler(t, c.e.Client(nil))
	token := c.e.StartRotation(t, arn)
	var first string
	for _, step := range Steps() {
		RunSteps(t, h, arn, token, step)
		if step == engine.StepCreate {
			first = c.e.Value(t, arn, token, engine.StagePending).Value
		}
		RunSteps(t, h, arn, token, step)
		if step == engine.StepCreate && c.e.Value(t, arn, token, engine.StagePending).Value != first {
			t.Errorf("the second createSecret replaced the pending value, want the first kept (values not shown)")
		}
	}
	now := c.e.AssertRotated(t, arn, before, token)
	if now.Value != first {
		t.Errorf("AWSCURRENT is not the value the first createSecret made (values not shown)")
	}
	c.assertWorks(t, now.Value, "the new AWSCURRENT")
}

// crashAfter runs the first k steps on one Lambda instance, which then dies
// before reporting, and the whole rotation again with the same token on a
// fresh instance, as Secrets Manager retries it.
func (c suite) crashAfter(t *testing.T, k int) {
	arn, before := c.secret(t, fmt.Sprintf("crash-%d", k))
	token := c.e.StartRotation(t, arn)
	RunSteps(t, c.handler(t, c.e.Client(nil)), arn, token, Steps()[:k]...)
	RunSteps(t, c.handler(t, c.e.Client(nil)), arn, token)
	now := c.e.AssertRotated(t, arn, before, token)
	c.assertWorks(t, now.Value, "AWSCURRENT after the retried rotation")
}

func (c suite) abandoned(t *testing.T) {
	arn, before := c.secret(t, "abandoned")
	h := c.handler(t, c.e.Client(nil))
	stale := c.e.StartRotation(t, arn)
	RunSteps(t, h, arn, stale, engine.StepCreate, engine.StepSet)
	abandoned := c.e.Value(t, arn, stale, engine.StagePending)

	token := c.e.Rotate(t, h, arn)
	now := c.e.AssertRotated(t, arn, before, token)
	if now.Value == abandoned.Value {
		t.Errorf("the abandoned value became AWSCURRENT (values not shown)")
	}
	err := Step(t.Context(), h, arn, stale, engine.StepFinish)
	if !errors.Is(err, engine.ErrNotPending) {
		t.Errorf("finishSecret of the stale token: got %v, want %v", err, engine.ErrNotPending)
	}
	c.assertNoSecret(t, err, before.Value, abandoned.Value, now.Value)
	c.e.AssertRotated(t, arn, before, token)
	c.assertWorks(t, now.Value, "the new AWSCURRENT")
}

// errTestRefused is the failure the suite injects into testSecret.
var errTestRefused = errors.New("conformance suite: testSecret refused the pending value")

// failingTest is a strategy whose Test fails while fail is set, as when the
// new value does not work downstream yet.
type failingTest struct {
	engine.Strategy
	fail *atomic.Bool
}

func (f failingTest) Test(ctx context.Context, r engine.Rotation) error {
	if f.fail.Load() {
		return errTestRefused
	}
	return f.Strategy.Test(ctx, r)
}

// Needs keeps the wrapped strategy's, so that the engine fetches what it reads.
func (f failingTest) Needs() engine.Needs {
	if n, ok := f.Strategy.(engine.ValueNeeds); ok {
		return n.Needs()
	}
	return engine.Needs{CurrentInSet: true, PendingInSet: true, CurrentInTest: true, PendingInTest: true}
}

func (c suite) failingTest(t *testing.T) {
	arn, before := c.secret(t, "failing-test")
	c.failingTestOn(t, arn, before)
}

// failingTestOn fails testSecret twice, as Secrets Manager retries it, checks
// that nothing moved, then lets the retry finish the rotation; it returns
// the new AWSCURRENT.
func (c suite) failingTestOn(t *testing.T, arn string, before Version) Version {
	sm := c.e.Client(nil)
	fail := &atomic.Bool{}
	fail.Store(true)
	h := engine.NewHandler(sm, failingTest{c.s.Strategy(t, sm, time.Now), fail}, Logger(t))
	token := c.e.StartRotation(t, arn)
	RunSteps(t, h, arn, token, engine.StepCreate, engine.StepSet)
	pending := c.e.Value(t, arn, token, engine.StagePending)
	for range 2 { // Secrets Manager retries a failed step
		err := Step(t.Context(), h, arn, token, engine.StepTest)
		if !errors.Is(err, errTestRefused) {
			t.Errorf("testSecret: got %v, want the injected failure", err)
		}
		c.assertNoSecret(t, err, before.Value, pending.Value)
	}
	c.e.AssertUnchanged(t, arn, before)
	if got := c.e.Stages(t, arn)[token]; !slices.Equal(got, []string{engine.StagePending}) {
		t.Errorf("stages of the pending version after the failed test: got %v, want [AWSPENDING]", got)
	}
	fail.Store(false)
	RunSteps(t, h, arn, token, engine.StepTest, engine.StepFinish)
	now := c.e.AssertRotated(t, arn, before, token)
	c.assertWorks(t, now.Value, "AWSCURRENT after the retried testSecret")
	return now
}

func (c suite) wrongToken(t *testing.T) {
	arn, first := c.secret(t, "wrong-token")
	h := c.handler(t, c.e.Client(nil))
	c.e.Rotate(t, h, arn) // so that a version is AWSPREVIOUS
	before := c.e.Current(t, arn)
	for _, step := range Steps() {
		err := Step(t.Context(), h, arn, NewToken(), step)
		if !errors.Is(err, engine.ErrUnknownVersion) {
			t.Errorf("%s with a token that is no version: got %v, want %v", step, err, engine.ErrUnknownVersion)
		}
		c.assertNoSecret(t, err, first.Value, before.Value)
		err = Step(t.Context(), h, arn, first.ID, step)
		if !errors.Is(err, engine.ErrNotPending) {
			t.Errorf("%s with the AWSPREVIOUS version's id: got %v, want %v", step, err, engine.ErrNotPending)
		}
		c.assertNoSecret(t, err, first.Value, before.Value)
	}
	c.e.AssertUnchanged(t, arn, before)
	c.assertWorks(t, before.Value, "AWSCURRENT")
}

func (c suite) configurationTest(t *testing.T) {
	arn, before := c.secret(t, "configuration")
	h := c.handler(t, c.e.Client(nil))
	if err := c.e.ConfigurationTest(t, h, arn); err != nil {
		t.Errorf("testSecret on a copy of AWSCURRENT: %v", err)
	}
	c.e.AssertUnchanged(t, arn, before)
	if ids := versionsWith(c.e.Stages(t, arn), engine.StagePending); len(ids) != 0 {
		t.Errorf("AWSPENDING on versions %v after the configuration test, want none", ids)
	}
	c.assertWorks(t, before.Value, "AWSCURRENT after the configuration test")
	token := c.e.Rotate(t, h, arn)
	c.e.AssertRotated(t, arn, before, token)
}

func (c suite) fault(t *testing.T, f Fault) {
	arn, before := c.secret(t, "fault")
	h := c.handler(t, c.e.Client(nil))
	token := c.e.StartRotation(t, arn)
	lift := f.Inject()
	var failed string
	var err error
	for _, step := range Steps() {
		if err = Step(t.Context(), h, arn, token, step); err != nil {
			failed = step
			break
		}
	}
	lift()
	if err == nil {
		t.Fatalf("the rotation finished with the fault on, want %s to fail", f.Step)
	}
	if failed != f.Step {
		t.Errorf("failed at %s, want %s: %v", failed, f.Step, err)
	}
	c.assertNoSecret(t, err, before.Value, c.pendingValue(t, arn, token))
	c.e.AssertUnchanged(t, arn, before)
	c.assertWorks(t, before.Value, "AWSCURRENT after the failed rotation")
	RunSteps(t, h, arn, token) // Secrets Manager's retry, once the cause is gone
	now := c.e.AssertRotated(t, arn, before, token)
	c.assertWorks(t, now.Value, "AWSCURRENT after the retry")
}

func (c suite) grace(t *testing.T) {
	arn, before := c.secret(t, "grace")
	clk := &Clock{}
	sm := c.e.Client(nil)
	s := c.s.Strategy(t, sm, clk.Now)
	revoker, ok := s.(grace.Revoker)
	if !ok {
		t.Fatalf("%s has KeyLive but its strategy is no grace.Revoker", c.s.Name)
	}
	h := engine.NewHandler(sm, s, Logger(t))
	sweeper, err := grace.NewSweeper(sm, revoker, c.s.Grace, clk.Now)
	if err != nil {
		t.Fatalf("new sweeper: %v", err)
	}
	sweep := func(want grace.Outcome) {
		t.Helper()
		res, err := sweeper.Sweep(t.Context(), []string{arn})
		if err != nil {
			t.Fatalf("sweep: %v", err)
		}
		if res[0].Outcome != want {
			t.Errorf("sweep: got %s, want %s", res[0].Outcome, want)
		}
	}
	live := func(v Version, want bool, what string) {
		t.Helper()
		if got := c.s.KeyLive(v.Value); got != want {
			t.Errorf("%s's key live = %v, want %v", what, got, want)
		}
	}

	first := c.e.AssertRotated(t, arn, before, c.e.Rotate(t, h, arn))
	live(before, true, "the replaced key, inside its grace")
	sweep(grace.OutcomeWithinGrace)
	live(before, true, "the replaced key, after a sweep inside its grace")

	// A second rotation inside the grace would strand the replaced key: its
	// createSecret refuses, and Secrets Manager retries it later.
	token := c.e.StartRotation(t, arn)
	err = Step(t.Context(), h, arn, token, engine.StepCreate)
	if !errors.Is(err, grace.ErrPreviousKeyInGrace) {
		t.Errorf("createSecret inside the grace: got %v, want %v", err, grace.ErrPreviousKeyInGrace)
	}
	c.assertNoSecret(t, err, before.Value, first.Value)
	c.e.AssertUnchanged(t, arn, first)

	clk.Advance(c.s.Grace + time.Minute)
	RunSteps(t, h, arn, token)
	second := c.e.AssertRotated(t, arn, first, token)
	live(before, false, "the first key, past its grace (the retried createSecret revokes it)")
	live(first, true, "the key just replaced")
	live(second, true, "the current key")

	clk.Advance(c.s.Grace + time.Minute)
	for range 2 { // the sweep is idempotent
		sweep(grace.OutcomeRevoked)
	}
	live(first, false, "the replaced key, past its grace")
	live(second, true, "the current key, after the sweeps")
	c.assertWorks(t, second.Value, "AWSCURRENT after the sweeps")
}

// crashedCreate replays a createSecret whose first attempt minted a key and
// crashed before the value was stored: that key's secret is lost, so it must
// not stay live.
func (c suite) crashedCreate(t *testing.T) {
	arn, before := c.secret(t, "crashed-create")
	s := c.s.Strategy(t, c.e.Client(nil), time.Now)
	r := engine.Rotation{SecretARN: arn, Token: NewToken(), Current: engine.Version{ID: before.ID, Value: []byte(before.Value)}}
	lost, err := s.Create(t.Context(), r)
	if err != nil {
		t.Fatalf("first create: %v", err)
	}
	kept, err := s.Create(t.Context(), r)
	if err != nil {
		t.Fatalf("second create: %v", err)
	}
	if c.s.KeyLive(string(lost)) {
		t.Errorf("the key of the crashed attempt is live, want it revoked")
	}
	if !c.s.KeyLive(string(kept)) {
		t.Errorf("the key of the retried attempt is gone, want it live")
	}
	if !c.s.KeyLive(before.Value) {
		t.Errorf("the current key is gone, want it live")
	}
}
