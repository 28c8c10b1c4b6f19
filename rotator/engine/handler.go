// Package engine runs the four-step Secrets Manager rotation protocol
// (createSecret, setSecret, testSecret, finishSecret) for a rotation Lambda.
//
// The engine owns every Secrets Manager call and every staging label; a
// Strategy owns only the new value and the downstream service that must accept
// it. The protocol follows AWS's rotation templates: each step starts with
// DescribeSecret and a set of guards, every step is idempotent for a given
// ClientRequestToken (Secrets Manager retries failed steps with the same token),
// and errors are returned, never swallowed, so that Secrets Manager retries.
//
// No secret value is ever logged or put into an error: logs and errors carry the
// step, the secret ARN and version ids only.
package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/acme/secrets-platform/rotator/contract"
)

// The rotation steps Secrets Manager sends in the event's Step field.
const (
	StepCreate = "createSecret"
	StepSet    = "setSecret"
	StepTest   = "testSecret"
	StepFinish = "finishSecret"
)

// The staging labels the protocol moves.
const (
	StageCurrent  = "AWSCURRENT"
	StagePending  = "AWSPENDING"
	StagePrevious = "AWSPREVIOUS"
)

// Guard failures. Each is returned wrapped with the step and the secret ARN, so
// callers and tests can match them with errors.Is.
var (
	// ErrInvalidEvent means the event lacks a step, secret id or token.
	ErrInvalidEvent = errors.New("invalid rotation event")
	// ErrUnknownStep means the event's Step is none of the four steps.
	ErrUnknownStep = errors.New("unknown rotation step")
	// ErrRotationDisabled means DescribeSecret reports rotation as not enabled.
	ErrRotationDisabled = errors.New("rotation is not enabled for the secret")
	// ErrUnknownVersion means the token is not among the secret's versions.
	ErrUnknownVersion = errors.New("token is not a version of the secret")
	// ErrNotPending means the token's version is neither AWSCURRENT nor AWSPENDING.
	ErrNotPending = errors.New("token version is not staged AWSPENDING")
	// ErrNoCurrent means no version of the secret carries AWSCURRENT.
	ErrNoCurrent = errors.New("secret has no AWSCURRENT version")
	// ErrEmptyValue means a strategy's Create returned no value.
	ErrEmptyValue = errors.New("strategy created an empty value")
)

// SecretsAPI is the part of the Secrets Manager client the engine calls. Its
// signatures are aws-sdk-go-v2's, so *secretsmanager.Client satisfies it.
type SecretsAPI interface {
	DescribeSecret(ctx context.Context, in *secretsmanager.DescribeSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error)
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	PutSecretValue(ctx context.Context, in *secretsmanager.PutSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error)
	UpdateSecretVersionStage(ctx context.Context, in *secretsmanager.UpdateSecretVersionStageInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.UpdateSecretVersionStageOutput, error)
}

// Handler handles rotation events for one strategy. It is safe for concurrent
// use, though Lambda sends it one event at a time.
type Handler struct {
	sm  SecretsAPI
	s   Strategy
	log *slog.Logger
}

// NewHandler returns a Handler that rotates secrets with s through sm. A nil log
// discards log output.
func NewHandler(sm SecretsAPI, s Strategy, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{sm: sm, s: s, log: log.With("strategy", s.Name())}
}

// Handle runs one rotation step. It is the Lambda handler: a returned error makes
// Secrets Manager retry the step with the same token.
func (h *Handler) Handle(ctx context.Context, ev events.SecretsManagerSecretRotationEvent) error {
	if ev.SecretID == "" || ev.ClientRequestToken == "" {
		return fmt.Errorf("%s: %w: SecretId and ClientRequestToken are required", ev.Step, ErrInvalidEvent)
	}
	switch ev.Step {
	case StepCreate, StepSet, StepTest, StepFinish:
	default:
		// Checked before any call: an unknown step can never succeed, so spend
		// no API call on it.
		return fmt.Errorf("%q for %s: %w", ev.Step, ev.SecretID, ErrUnknownStep)
	}
	log := h.log.With("step", ev.Step, "secret", ev.SecretID, "token", ev.ClientRequestToken)

	st, err := h.describe(ctx, ev.SecretID)
	if err != nil {
		return fmt.Errorf("%s %s: %w", ev.Step, ev.SecretID, err)
	}
	arn := st.arn
	if err := st.guard(ev.ClientRequestToken); err != nil {
		return fmt.Errorf("%s %s: %w", ev.Step, arn, err)
	}
	r := Rotation{
		SecretARN: arn,
		Token:     ev.ClientRequestToken,
		Current:   Version{ID: st.current},
		Pending:   Version{ID: ev.ClientRequestToken},
		Stages:    st.labels(),
	}
	if st.stages[r.Token].has(StageCurrent) {
		// The rotation already finished for this token: every step is a
		// no-op, but a finishSecret retried after a crash between its two
		// label moves still records the switch.
		if ev.Step == StepFinish {
			if err := h.recordSwitch(ctx, log, r); err != nil {
				return fmt.Errorf("%s %s: %w", ev.Step, arn, err)
			}
		}
		log.InfoContext(ctx, "token already AWSCURRENT, nothing to do")
		return nil
	}
	if err := markPlaceholder(&r.Current, st.stages[st.current]); err != nil {
		return fmt.Errorf("%s %s: %w", ev.Step, arn, err)
	}
	switch ev.Step {
	case StepCreate:
		err = h.create(ctx, log, ev, st, r)
	case StepSet:
		err = h.set(ctx, log, st, r)
	case StepTest:
		err = h.test(ctx, log, st, r)
	case StepFinish:
		err = h.finish(ctx, log, st, r)
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", ev.Step, arn, err)
	}
	return nil
}

// create stores the strategy's new value as AWSPENDING under the token, unless a
// value for the token already exists (a retried createSecret must not generate a
// second, different value).
func (h *Handler) create(ctx context.Context, log *slog.Logger, ev events.SecretsManagerSecretRotationEvent, st state, r Rotation) error {
	_, err := h.value(ctx, r.SecretARN, r.Token, StagePending)
	if err == nil {
		log.InfoContext(ctx, "pending value already exists")
		return nil
	}
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		return fmt.Errorf("get pending value: %w", err)
	}
	if r.Current.Value, err = h.value(ctx, r.SecretARN, r.Current.ID, StageCurrent); err != nil {
		return fmt.Errorf("get current value: %w", err)
	}
	if err := markPlaceholder(&r.Current, st.stages[st.current]); err != nil {
		return err
	}
	if err := h.guardPlaceholder(ctx, st, r); err != nil {
		return err
	}
	v, err := h.s.Create(ctx, r)
	if err != nil {
		return fmt.Errorf("create value with %s: %w", h.s.Name(), err)
	}
	if len(v) == 0 {
		return ErrEmptyValue
	}
	in := &secretsmanager.PutSecretValueInput{
		SecretId:           aws.String(r.SecretARN),
		ClientRequestToken: aws.String(r.Token),
		SecretString:       aws.String(string(v)),
		VersionStages:      []string{StagePending},
	}
	if ev.RotationToken != "" {
		// Rotation through an assumed or cross-account role: Secrets Manager
		// checks the caller with this token.
		in.RotationToken = aws.String(ev.RotationToken)
	}
	_, err = h.sm.PutSecretValue(ctx, in)
	if d, ok := h.s.(Discarder); ok {
		return h.keepOne(ctx, log, d, r, v, err)
	}
	if err != nil {
		return fmt.Errorf("put pending value: %w", err)
	}
	log.InfoContext(ctx, "pending value stored", "current", r.Current.ID, "fromPlaceholder", r.Current.Placeholder)
	return nil
}

// keepOne settles a put of a Discarder's value, which a concurrent
// createSecret for the same token may have beaten: AWS keeps the first value
// and answers the second put ResourceExistsException; moto keeps the last.
// Whichever value Secrets Manager holds now stands, and a value of ours that
// it does not hold is discarded, so no minted key outlives its value.
func (h *Handler) keepOne(ctx context.Context, log *slog.Logger, d Discarder, r Rotation, ours []byte, putErr error) error {
	var exists *types.ResourceExistsException
	if putErr != nil && !errors.As(putErr, &exists) {
		return fmt.Errorf("put pending value: %w", putErr)
	}
	stored, err := h.value(ctx, r.SecretARN, r.Token, StagePending)
	if err != nil {
		return fmt.Errorf("read back pending value: %w", err)
	}
	if bytes.Equal(stored, ours) {
		log.InfoContext(ctx, "pending value stored", "current", r.Current.ID, "fromPlaceholder", r.Current.Placeholder)
		return nil
	}
	if err := d.Discard(ctx, r, ours); err != nil {
		return fmt.Errorf("discard the value another createSecret replaced: %w", err)
	}
	log.InfoContext(ctx, "another createSecret stored its value for this token; ours is discarded")
	return nil
}

// set makes the downstream service accept the pending value.
func (h *Handler) set(ctx context.Context, log *slog.Logger, st state, r Rotation) error {
	n := needsOf(h.s)
	if err := h.fill(ctx, st, &r, n.CurrentInSet, n.PendingInSet); err != nil {
		return err
	}
	if err := h.s.Set(ctx, r); err != nil {
		return fmt.Errorf("set value with %s: %w", h.s.Name(), err)
	}
	log.InfoContext(ctx, "pending value set", "current", r.Current.ID)
	return nil
}

// test proves that the pending value works before it becomes current. A
// pending placeholder behind a current one is what Secrets Manager's
// configuration test hands a secret that has no value yet (a copy of
// AWSCURRENT): it holds no credential, so there is nothing to prove.
func (h *Handler) test(ctx context.Context, log *slog.Logger, st state, r Rotation) error {
	n := needsOf(h.s)
	if err := h.fill(ctx, st, &r, n.CurrentInTest, n.PendingInTest); err != nil {
		return err
	}
	if r.Pending.Value != nil && contract.IsPlaceholder(r.Pending.Value) {
		if !r.Current.Placeholder {
			return fmt.Errorf("version %s: %w", r.Pending.ID, ErrPendingPlaceholder)
		}
		log.InfoContext(ctx, "pending value is a copy of the placeholder (configuration test), nothing to test")
		return nil
	}
	if err := h.s.Test(ctx, r); err != nil {
		return fmt.Errorf("test value with %s: %w", h.s.Name(), err)
	}
	log.InfoContext(ctx, "pending value tested", "current", r.Current.ID)
	return nil
}

// finish moves AWSCURRENT to the token's version; Secrets Manager moves
// AWSPREVIOUS to the old current version in the same call. AWSPENDING stays on
// the new current version, which Secrets Manager accepts as a finished rotation
// (the next RotateSecret moves it); removing it would cost a ninth API call. A
// SwitchRecorder's new version is then labelled with the switch time.
func (h *Handler) finish(ctx context.Context, log *slog.Logger, st state, r Rotation) error {
	if err := h.guardPlaceholder(ctx, st, r); err != nil {
		return err
	}
	_, err := h.sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
		SecretId:            aws.String(r.SecretARN),
		VersionStage:        aws.String(StageCurrent),
		MoveToVersionId:     aws.String(r.Token),
		RemoveFromVersionId: aws.String(r.Current.ID),
	})
	if err != nil {
		return fmt.Errorf("move AWSCURRENT from %s to %s: %w", r.Current.ID, r.Token, err)
	}
	log.InfoContext(ctx, "AWSCURRENT moved", "previous", r.Current.ID)
	return h.recordSwitch(ctx, log, r)
}

// fill reads the current and pending values a step needs, under the stages they
// carry during the rotation, and refuses a placeholder behind a real value.
func (h *Handler) fill(ctx context.Context, st state, r *Rotation, current, pending bool) error {
	var err error
	if current {
		if r.Current.Value, err = h.value(ctx, r.SecretARN, r.Current.ID, StageCurrent); err != nil {
			return fmt.Errorf("get current value: %w", err)
		}
		if err := markPlaceholder(&r.Current, st.stages[st.current]); err != nil {
			return err
		}
	}
	if err := h.guardPlaceholder(ctx, st, *r); err != nil {
		return err
	}
	if pending {
		if r.Pending.Value, err = h.value(ctx, r.SecretARN, r.Pending.ID, StagePending); err != nil {
			return fmt.Errorf("get pending value: %w", err)
		}
	}
	return nil
}

// value reads one version. Both the id and the stage are passed: Secrets
// Manager then refuses a version that lost its stage in the meantime.
func (h *Handler) value(ctx context.Context, arn, id, stage string) ([]byte, error) {
	out, err := h.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId:     aws.String(arn),
		VersionId:    aws.String(id),
		VersionStage: aws.String(stage),
	})
	if err != nil {
		return nil, err
	}
	if out.SecretString != nil {
		return []byte(*out.SecretString), nil
	}
	return out.SecretBinary, nil
}

// needsOf returns what s reads; a strategy that does not say reads everything.
func needsOf(s Strategy) Needs {
	if vn, ok := s.(ValueNeeds); ok {
		return vn.Needs()
	}
	return Needs{CurrentInSet: true, PendingInSet: true, CurrentInTest: true, PendingInTest: true}
}
