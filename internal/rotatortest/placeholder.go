package rotatortest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/engine"
	"github.com/acme/secrets-platform/rotator/grace"
)

// The suite's cases for a secret that starts as the program writes it: a
// placeholder first version labelled PLACEHOLDER (decision D3).

// placeholder creates a placeholder secret for one case.
func (c suite) placeholder(t *testing.T, name string) (arn string, before Version) {
	t.Helper()
	arn = c.s.NewPlaceholder(t, "/conformance/"+c.s.Name+"/"+name+"-"+NewToken()[:8])
	before = c.e.Current(t, arn)
	if !contract.IsPlaceholder([]byte(before.Value)) {
		t.Fatalf("NewPlaceholder made a value that is no placeholder")
	}
	return arn, before
}

// assertFirstValue checks a first value made from a placeholder: no
// placeholder any more, working downstream, and the placeholder kept as
// AWSPREVIOUS with its PLACEHOLDER label.
func (c suite) assertFirstValue(t *testing.T, arn string, placeholder, now Version) {
	t.Helper()
	if contract.IsPlaceholder([]byte(now.Value)) {
		t.Errorf("the first value is still a placeholder")
	}
	c.assertWorks(t, now.Value, "the first value")
	if got := c.e.Stages(t, arn)[placeholder.ID]; !slices.Contains(got, contract.PlaceholderStage) {
		t.Errorf("the placeholder version has stages %v after the first rotation, want %s kept", got, contract.PlaceholderStage)
	}
}

// placeholderStart rotates a placeholder: the first rotation makes a valid
// first value, within the call budget plus the one master-secret read a
// single-user database's first rotation makes.
func (c suite) placeholderStart(t *testing.T) {
	arn, before := c.placeholder(t, "placeholder")
	calls := NewCounter()
	h := c.handler(t, c.e.Client(calls))
	token := c.e.Rotate(t, h, arn)
	now := c.e.AssertRotated(t, arn, before, token)
	c.assertFirstValue(t, arn, before, now)
	t.Logf("%s: %d Secrets Manager calls for the first rotation from a placeholder %v", c.s.Name, calls.Total(), calls.Counts())
	if calls.Total() > c.s.Calls+1 {
		t.Errorf("Secrets Manager calls for the first rotation: got %d %v, want at most %d", calls.Total(), calls.Counts(), c.s.Calls+1)
	}
	// The second rotation derives from the first value, as every later one.
	second := c.e.AssertRotated(t, arn, now, c.e.Rotate(t, h, arn))
	c.assertWorks(t, second.Value, "the second value")
}

// placeholderFailedFirst fails the first rotation at testSecret: the
// placeholder stays AWSCURRENT, and Secrets Manager's retry of the same
// rotation completes it.
func (c suite) placeholderFailedFirst(t *testing.T) {
	arn, before := c.placeholder(t, "placeholder-fails")
	now := c.failingTestOn(t, arn, before)
	c.assertFirstValue(t, arn, before, now)
}

// placeholderConfigurationTest plays Secrets Manager's configuration test on
// a secret that has no value yet: testSecret on a copy of the placeholder
// passes and changes nothing.
func (c suite) placeholderConfigurationTest(t *testing.T) {
	arn, before := c.placeholder(t, "placeholder-configuration")
	h := c.handler(t, c.e.Client(nil))
	if err := c.e.ConfigurationTest(t, h, arn); err != nil {
		t.Errorf("testSecret on a copy of the placeholder: %v", err)
	}
	c.e.AssertUnchanged(t, arn, before)
	token := c.e.Rotate(t, h, arn)
	c.assertFirstValue(t, arn, before, c.e.AssertRotated(t, arn, before, token))
}

// placeholderBehindValue moves AWSCURRENT back to the placeholder after the
// first value exists: a rotation then is refused, never started afresh (a
// key ring must never restart empty), and nothing changes.
func (c suite) placeholderBehindValue(t *testing.T) {
	arn, placeholder := c.placeholder(t, "placeholder-rollback")
	h := c.handler(t, c.e.Client(nil))
	first := c.e.AssertRotated(t, arn, placeholder, c.e.Rotate(t, h, arn))
	if _, err := c.e.SM.UpdateSecretVersionStage(t.Context(), &secretsmanager.UpdateSecretVersionStageInput{
		SecretId: aws.String(arn), VersionStage: aws.String(engine.StageCurrent),
		MoveToVersionId: aws.String(placeholder.ID), RemoveFromVersionId: aws.String(first.ID),
	}); err != nil {
		t.Fatalf("move AWSCURRENT back to the placeholder: %v", err)
	}
	rolledBack := c.e.Current(t, arn)
	token := c.e.StartRotation(t, arn)
	for _, step := range Steps() {
		err := Step(t.Context(), h, arn, token, step)
		if step == engine.StepCreate && !errors.Is(err, engine.ErrPlaceholderBehindValue) {
			t.Errorf("createSecret on a placeholder behind a value: got %v, want %v", err, engine.ErrPlaceholderBehindValue)
		}
		c.assertNoSecret(t, err, first.Value)
		if err == nil && step != engine.StepCreate {
			t.Errorf("%s on a placeholder behind a value succeeded, want it refused", step)
		}
	}
	c.e.AssertUnchanged(t, arn, rolledBack)
	if got := c.e.Value(t, arn, first.ID, engine.StagePrevious); got.Value != first.Value {
		t.Errorf("AWSPREVIOUS lost the first value")
	}
}

// placeholderRevokesNothing: after the first rotation of a key strategy the
// placeholder is AWSPREVIOUS; a sweep past the grace revokes nothing for it
// and the first key stays live.
func (c suite) placeholderRevokesNothing(t *testing.T) {
	arn, placeholder := c.placeholder(t, "placeholder-sweep")
	clk := &Clock{}
	sm := c.e.Client(nil)
	s := c.s.Strategy(t, sm, clk.Now)
	first := c.e.AssertRotated(t, arn, placeholder, c.e.Rotate(t, engine.NewHandler(sm, s, Logger(t)), arn))
	sweeper, err := grace.NewSweeper(sm, s.(grace.Revoker), c.s.Grace, clk.Now)
	if err != nil {
		t.Fatalf("new sweeper: %v", err)
	}
	clk.Advance(c.s.Grace + time.Minute)
	res, err := sweeper.Sweep(t.Context(), []string{arn})
	if err != nil {
		t.Fatalf("sweep: %v", err)
	}
	if res[0].Outcome != grace.OutcomeNoKey {
		t.Errorf("sweep past the grace of a placeholder: got %s, want %s", res[0].Outcome, grace.OutcomeNoKey)
	}
	if !c.s.KeyLive(first.Value) {
		t.Errorf("the first key was revoked by a sweep of its placeholder")
	}
}
