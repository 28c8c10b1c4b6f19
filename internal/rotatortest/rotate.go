package rotatortest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/acme/secrets-platform/rotator/engine"
)

// Rotator runs one rotation step. *engine.Handler satisfies it in process, and
// LambdaRotator adapts a compiled bootstrap under aws-lambda-rie.
type Rotator interface {
	Handle(ctx context.Context, ev events.SecretsManagerSecretRotationEvent) error
}

// Steps returns the four steps in the order Secrets Manager sends them.
func Steps() []string {
	return []string{engine.StepCreate, engine.StepSet, engine.StepTest, engine.StepFinish}
}

// NewToken returns a random UUID (version 4), the form of ClientRequestToken
// that Secrets Manager generates.
func NewToken() string {
	// crypto/rand.Text would do, but Secrets Manager wants a UUID's shape.
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails: see crypto/rand.Read.
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// TokenFor returns a ClientRequestToken named after name, of a length
// Secrets Manager accepts, for tests that need the same token twice.
func TokenFor(name string) string {
	tok := fmt.Sprintf("%s-%s", name, strings.Repeat("0", 40))
	return tok[:min(len(tok), 64)]
}

// StartRotation begins a rotation the way Secrets Manager does before it
// invokes the rotation function: RotateSecret with a fresh token, which stages
// an empty AWSPENDING version under the token. It returns the token, for the
// test to hand to the rotator step by step.
func (e *Env) StartRotation(t testing.TB, secretID string) string {
	t.Helper()
	token := NewToken()
	if err := e.startRotation(ctx(t), secretID, token, true); err != nil {
		t.Fatalf("start rotation of %s: %v", secretID, err)
	}
	return token
}

// ConfigurationTest plays what Secrets Manager does when rotation is turned
// on without rotating at once: RotateSecret with RotateImmediately false
// stages a copy of AWSCURRENT as AWSPENDING under a new token (moto makes the
// copy as AWS does), the function's testSecret step runs against it, and the
// AWSPENDING label is removed again. It returns testSecret's error; the label
// is removed either way. AWS documents the test in RotateSecret's
// RotateImmediately: "Secrets Manager tests the rotation configuration by
// running the testSecret step of the Lambda rotation function. The test
// creates an AWSPENDING version of the secret and then removes it."
func (e *Env) ConfigurationTest(t testing.TB, r Rotator, secretID string) error {
	t.Helper()
	token := NewToken()
	if err := e.startRotation(ctx(t), secretID, token, false); err != nil {
		t.Fatalf("start configuration test of %s: %v", secretID, err)
	}
	e.fillConfigurationCopy(t, secretID, token)
	stepErr := Step(ctx(t), r, secretID, token, engine.StepTest)
	if _, err := e.SM.UpdateSecretVersionStage(ctx(t), &secretsmanager.UpdateSecretVersionStageInput{
		SecretId:            aws.String(secretID),
		VersionStage:        aws.String(engine.StagePending),
		RemoveFromVersionId: aws.String(token),
	}); err != nil {
		t.Fatalf("remove AWSPENDING after the configuration test of %s: %v", secretID, err)
	}
	return stepErr
}

func (e *Env) startRotation(ctx context.Context, secretID, token string, immediately bool) error {
	fn, err := e.stubFunction(ctx)
	if err != nil {
		return err
	}
	d, err := e.SM.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(secretID)})
	if err != nil {
		return fmt.Errorf("describe secret: %w", err)
	}
	for id, labels := range d.VersionIdsToStages {
		// moto refuses RotateSecret while AWSPENDING sits on the AWSCURRENT
		// version, the state a finished rotation leaves and AWS accepts.
		if slices.Contains(labels, engine.StagePending) && slices.Contains(labels, engine.StageCurrent) {
			if _, err := e.SM.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
				SecretId:            aws.String(secretID),
				VersionStage:        aws.String(engine.StagePending),
				RemoveFromVersionId: aws.String(id),
			}); err != nil {
				return fmt.Errorf("clear AWSPENDING from the current version (moto quirk): %w", err)
			}
		}
	}
	out, err := e.SM.RotateSecret(ctx, &secretsmanager.RotateSecretInput{
		SecretId:           aws.String(secretID),
		ClientRequestToken: aws.String(token),
		RotationLambdaARN:  aws.String(fn),
		// A schedule makes moto report RotationEnabled, as AWS does.
		RotationRules:     &types.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)},
		RotateImmediately: aws.Bool(immediately),
	})
	if err != nil {
		return fmt.Errorf("rotate secret: %w", err)
	}
	if immediately {
		if got := aws.ToString(out.VersionId); got != token {
			return fmt.Errorf("rotate secret: got version %s, want the token %s", got, token)
		}
		return nil
	}
	// Without an immediate rotation the answer names the current version;
	// the copy must sit under the token.
	d, err = e.SM.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(secretID)})
	if err != nil {
		return fmt.Errorf("describe secret: %w", err)
	}
	if !slices.Contains(d.VersionIdsToStages[token], engine.StagePending) {
		return fmt.Errorf("rotate secret: version %s has stages %v, want AWSPENDING", token, d.VersionIdsToStages[token])
	}
	return nil
}

// Step sends one rotation step for secretID and token to r, as Secrets Manager
// invokes the rotation function.
func Step(ctx context.Context, r Rotator, secretID, token, step string) error {
	return r.Handle(ctx, events.SecretsManagerSecretRotationEvent{Step: step, SecretID: secretID, ClientRequestToken: token})
}

// RunSteps sends the given steps in order and fails the test at the first
// error. With no steps it sends all four.
func RunSteps(t testing.TB, r Rotator, secretID, token string, steps ...string) {
	t.Helper()
	if len(steps) == 0 {
		steps = Steps()
	}
	for _, step := range steps {
		if err := Step(ctx(t), r, secretID, token, step); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
}

// Rotate runs one whole rotation of secretID through r (StartRotation, then
// the four steps) and returns its token.
func (e *Env) Rotate(t testing.TB, r Rotator, secretID string) string {
	t.Helper()
	token := e.StartRotation(t, secretID)
	RunSteps(t, r, secretID, token)
	return token
}

// fillConfigurationCopy puts AWSCURRENT's value under the configuration
// test's token when moto left that copy empty: moto copies the secret's
// default value, which it never set for a secret whose first version came
// from a PutSecretValue (the program's placeholder), while AWS copies
// AWSCURRENT. moto accepts a second put for a token (AWS would not).
func (e *Env) fillConfigurationCopy(t testing.TB, secretID, token string) {
	t.Helper()
	_, err := e.SM.GetSecretValue(ctx(t), &secretsmanager.GetSecretValueInput{
		SecretId: aws.String(secretID), VersionId: aws.String(token), VersionStage: aws.String(engine.StagePending),
	})
	if err == nil {
		return
	}
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("read the configuration test's copy of %s: %v", secretID, err)
	}
	cur := e.Current(t, secretID)
	if _, err := e.SM.PutSecretValue(ctx(t), &secretsmanager.PutSecretValueInput{
		SecretId: aws.String(secretID), ClientRequestToken: aws.String(token),
		SecretString: aws.String(cur.Value), VersionStages: []string{engine.StagePending},
	}); err != nil {
		t.Fatalf("copy AWSCURRENT of %s for the configuration test (moto quirk): %v", secretID, err)
	}
}
