package engine_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/rotator/engine"
)

const (
	oldID   = "00000000-0000-4000-8000-000000000001"
	token   = "00000000-0000-4000-8000-000000000002"
	prevID  = "00000000-0000-4000-8000-000000000003"
	oldVal  = "old-secret-value-do-not-leak"
	newVal  = "new-secret-value-do-not-leak"
	prevVal = "previous-secret-value-do-not-leak"
)

func event(step string) events.SecretsManagerSecretRotationEvent {
	return events.SecretsManagerSecretRotationEvent{Step: step, SecretID: "/dev/app/db", ClientRequestToken: token}
}

// rotating is a secret in the middle of a rotation: AWSCURRENT on oldID, the
// token staged AWSPENDING without a value yet, as RotateSecret leaves it.
func rotating() *stubSM {
	return newStub(true).version(oldID, oldVal, engine.StageCurrent).version(token, "", engine.StagePending)
}

func assertNoValue(t *testing.T, s string) {
	t.Helper()
	// strings.Contains, not assert.NotContains, which would print the value.
	for _, v := range []string{oldVal, newVal, prevVal} {
		assert.False(t, strings.Contains(s, v), "a secret value leaked (not shown)")
	}
}

func TestHandleGuards(t *testing.T) {
	tests := []struct {
		name      string
		sm        *stubSM
		ev        events.SecretsManagerSecretRotationEvent
		wantErr   error
		wantCalls int
	}{
		{"missing token", rotating(), events.SecretsManagerSecretRotationEvent{Step: engine.StepCreate, SecretID: "/dev/app/db"}, engine.ErrInvalidEvent, 0},
		{"missing secret id", rotating(), events.SecretsManagerSecretRotationEvent{Step: engine.StepCreate, ClientRequestToken: token}, engine.ErrInvalidEvent, 0},
		{"unknown step", rotating(), event("deleteSecret"), engine.ErrUnknownStep, 0},
		{"rotation disabled", newStub(false).version(oldID, oldVal, engine.StageCurrent).version(token, "", engine.StagePending), event(engine.StepCreate), engine.ErrRotationDisabled, 1},
		{"token not a version", newStub(true).version(oldID, oldVal, engine.StageCurrent), event(engine.StepSet), engine.ErrUnknownVersion, 1},
		{"token without stage", newStub(true).version(oldID, oldVal, engine.StageCurrent).version(token, newVal), event(engine.StepTest), engine.ErrNotPending, 1},
		{"token is previous", newStub(true).version(oldID, oldVal, engine.StageCurrent).version(token, newVal, engine.StagePrevious), event(engine.StepFinish), engine.ErrNotPending, 1},
		{"no current version", newStub(true).version(token, "", engine.StagePending), event(engine.StepCreate), engine.ErrNoCurrent, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &stubStrategy{value: newVal}
			err := engine.NewHandler(tt.sm, s, nil).Handle(context.Background(), tt.ev)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, tt.wantCalls, tt.sm.callCount(), "Secrets Manager calls: got %v", tt.sm.calls)
			assert.Empty(t, s.calls, "strategy must not run when a guard fails")
			assertNoValue(t, err.Error())
		})
	}
}

func TestHandleTokenAlreadyCurrentIsNoOp(t *testing.T) {
	for _, step := range []string{engine.StepCreate, engine.StepSet, engine.StepTest, engine.StepFinish} {
		t.Run(step, func(t *testing.T) {
			sm := newStub(true).version(oldID, oldVal, engine.StagePrevious).version(token, newVal, engine.StageCurrent, engine.StagePending)
			s := &stubStrategy{value: "unused"}
			require.NoError(t, engine.NewHandler(sm, s, nil).Handle(context.Background(), event(step)))
			assert.Equal(t, []string{"DescribeSecret"}, sm.calls)
			assert.Empty(t, s.calls)
		})
	}
}

func TestHandleDescribeErrorIsWrapped(t *testing.T) {
	sm := rotating()
	sm.failOp, sm.failWith = "DescribeSecret", errors.New("throttled")
	err := engine.NewHandler(sm, &stubStrategy{value: newVal}, nil).Handle(context.Background(), event(engine.StepSet))
	require.Error(t, err)
	assert.ErrorIs(t, err, sm.failWith)
	assert.Contains(t, err.Error(), engine.StepSet)
	assert.Contains(t, err.Error(), "/dev/app/db")
}

func TestCreate(t *testing.T) {
	t.Run("stores the new value as AWSPENDING under the token", func(t *testing.T) {
		sm := rotating()
		s := &stubStrategy{value: newVal}
		ev := event(engine.StepCreate)
		ev.RotationToken = "rotation-token"
		require.NoError(t, engine.NewHandler(sm, s, nil).Handle(context.Background(), ev))

		assert.Equal(t, []string{"DescribeSecret", "GetSecretValue", "GetSecretValue", "PutSecretValue"}, sm.calls)
		require.Len(t, sm.puts, 1)
		put := sm.puts[0]
		assert.Equal(t, token, aws.ToString(put.ClientRequestToken))
		assert.Equal(t, []string{engine.StagePending}, put.VersionStages)
		assert.True(t, aws.ToString(put.SecretString) == newVal, "PutSecretValue got another value than the strategy made (values not shown)")
		assert.Equal(t, "rotation-token", aws.ToString(put.RotationToken))
		got := s.seen["Create"]
		assert.Equal(t, oldID, got.Current.ID)
		assert.True(t, string(got.Current.Value) == oldVal, "Create got another current value, want the AWSCURRENT one (values not shown)")
		assert.Equal(t, sm.arn, got.SecretARN)
		assert.Equal(t, token, got.Token)
	})
	t.Run("existing pending value is kept", func(t *testing.T) {
		sm := newStub(true).version(oldID, oldVal, engine.StageCurrent).version(token, newVal, engine.StagePending)
		s := &stubStrategy{value: "a-different-value"}
		require.NoError(t, engine.NewHandler(sm, s, nil).Handle(context.Background(), event(engine.StepCreate)))
		assert.Equal(t, []string{"DescribeSecret", "GetSecretValue"}, sm.calls)
		assert.Empty(t, s.calls, "a retried createSecret must not generate a second value")
	})

	errTests := []struct {
		name     string
		sm       func() *stubSM
		strategy *stubStrategy
		wantErr  error
		wantPuts int
	}{
		{"pending lookup fails with another error", func() *stubSM {
			sm := rotating()
			sm.failOp, sm.failWith = "GetSecretValue", errors.New("internal service error")
			return sm
		}, &stubStrategy{value: newVal}, nil, 0},
		{"strategy fails", rotating, &stubStrategy{value: newVal, createErr: errors.New("entropy exhausted")}, nil, 0},
		{"strategy returns nothing", rotating, &stubStrategy{}, engine.ErrEmptyValue, 0},
		{"put fails", func() *stubSM {
			sm := rotating()
			sm.failOp, sm.failWith = "PutSecretValue", errors.New("limit exceeded")
			return sm
		}, &stubStrategy{value: newVal}, nil, 1},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			sm := tt.sm()
			err := engine.NewHandler(sm, tt.strategy, nil).Handle(context.Background(), event(engine.StepCreate))
			require.Error(t, err)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
			}
			if sm.failWith != nil {
				assert.ErrorIs(t, err, sm.failWith)
			}
			if tt.strategy.createErr != nil {
				assert.ErrorIs(t, err, tt.strategy.createErr)
			}
			puts := 0
			for _, c := range sm.calls {
				if c == "PutSecretValue" {
					puts++
				}
			}
			assert.Equal(t, tt.wantPuts, puts, "PutSecretValue attempts")
			assert.Contains(t, err.Error(), engine.StepCreate)
			assert.Contains(t, err.Error(), sm.arn)
			assertNoValue(t, err.Error())
		})
	}
}

func TestSetAndTestFetchOnlyWhatTheStrategyNeeds(t *testing.T) {
	tests := []struct {
		name     string
		step     string
		needs    engine.Needs
		wantGets int
		wantCur  string
		wantPend string
	}{
		{"set nothing", engine.StepSet, engine.Needs{}, 0, "", ""},
		{"set pending", engine.StepSet, engine.Needs{PendingInSet: true}, 1, "", newVal},
		{"set both", engine.StepSet, engine.Needs{CurrentInSet: true, PendingInSet: true}, 2, oldVal, newVal},
		{"test nothing", engine.StepTest, engine.Needs{PendingInSet: true}, 0, "", ""},
		{"test pending", engine.StepTest, engine.Needs{PendingInTest: true}, 1, "", newVal},
		{"test both", engine.StepTest, engine.Needs{CurrentInTest: true, PendingInTest: true}, 2, oldVal, newVal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sm := newStub(true).version(oldID, oldVal, engine.StageCurrent).version(token, newVal, engine.StagePending).version(prevID, prevVal, engine.StagePrevious)
			s := &needsStrategy{needs: tt.needs}
			require.NoError(t, engine.NewHandler(sm, s, nil).Handle(context.Background(), event(tt.step)))
			assert.Equal(t, 1+tt.wantGets, sm.callCount(), "calls: got %v", sm.calls)

			require.Len(t, s.calls, 1)
			r := s.seen[s.calls[0]]
			assert.Equal(t, oldID, r.Current.ID, "ids are always filled")
			assert.Equal(t, token, r.Pending.ID)
			// ==, not assert.Equal, which would print the values.
			assert.True(t, string(r.Current.Value) == tt.wantCur, "current value differs from the wanted one (not shown)")
			assert.True(t, string(r.Pending.Value) == tt.wantPend, "pending value differs from the wanted one (not shown)")
		})
	}
}

func TestStrategyWithoutNeedsGetsEveryValue(t *testing.T) {
	sm := newStub(true).version(oldID, oldVal, engine.StageCurrent).version(token, newVal, engine.StagePending)
	s := &stubStrategy{}
	require.NoError(t, engine.NewHandler(sm, s, nil).Handle(context.Background(), event(engine.StepTest)))
	r := s.seen["Test"]
	assert.True(t, string(r.Current.Value) == oldVal, "current value is not the AWSCURRENT one (values not shown)")
	assert.True(t, string(r.Pending.Value) == newVal, "pending value is not the AWSPENDING one (values not shown)")
}

func TestSetAndTestErrors(t *testing.T) {
	tests := []struct {
		name string
		step string
		s    *stubStrategy
		err  func(*stubStrategy) error
	}{
		{"set", engine.StepSet, &stubStrategy{setErr: errors.New("downstream refused")}, func(s *stubStrategy) error { return s.setErr }},
		{"test", engine.StepTest, &stubStrategy{testErr: errors.New("login failed")}, func(s *stubStrategy) error { return s.testErr }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sm := newStub(true).version(oldID, oldVal, engine.StageCurrent).version(token, newVal, engine.StagePending)
			err := engine.NewHandler(sm, tt.s, nil).Handle(context.Background(), event(tt.step))
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.err(tt.s))
			assert.Contains(t, err.Error(), tt.step)
			assert.Contains(t, err.Error(), sm.arn)
			assert.Equal(t, []string{engine.StageCurrent}, sm.labels[oldID], "a failed step must not move AWSCURRENT")
		})
	}
}

func TestFinish(t *testing.T) {
	t.Run("moves AWSCURRENT, and Secrets Manager AWSPREVIOUS", func(t *testing.T) {
		sm := newStub(true).version(oldID, oldVal, engine.StageCurrent).version(token, newVal, engine.StagePending)
		s := &stubStrategy{}
		require.NoError(t, engine.NewHandler(sm, s, nil).Handle(context.Background(), event(engine.StepFinish)))
		require.Len(t, sm.updates, 1)
		u := sm.updates[0]
		assert.Equal(t, engine.StageCurrent, aws.ToString(u.VersionStage))
		assert.Equal(t, token, aws.ToString(u.MoveToVersionId))
		assert.Equal(t, oldID, aws.ToString(u.RemoveFromVersionId))
		assert.ElementsMatch(t, []string{engine.StagePending, engine.StageCurrent}, sm.labels[token])
		assert.Equal(t, []string{engine.StagePrevious}, sm.labels[oldID])
		assert.Equal(t, []string{"DescribeSecret", "UpdateSecretVersionStage"}, sm.calls, "finishSecret reads no value")
		assert.Empty(t, s.calls, "finishSecret runs no strategy step")
	})
	t.Run("move fails", func(t *testing.T) {
		sm := newStub(true).version(oldID, oldVal, engine.StageCurrent).version(token, newVal, engine.StagePending)
		sm.failOp, sm.failWith = "UpdateSecretVersionStage", errors.New("conflict")
		err := engine.NewHandler(sm, &stubStrategy{}, nil).Handle(context.Background(), event(engine.StepFinish))
		require.Error(t, err)
		assert.ErrorIs(t, err, sm.failWith)
		assert.Equal(t, []string{engine.StageCurrent}, sm.labels[oldID], "a failed move leaves AWSCURRENT where it was")
	})
}

func TestLogsCarryIdsNotValues(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	sm := rotating()
	h := engine.NewHandler(sm, &stubStrategy{value: newVal}, log)
	for _, step := range []string{engine.StepCreate, engine.StepSet, engine.StepTest, engine.StepFinish} {
		require.NoError(t, h.Handle(context.Background(), event(step)), step)
	}
	out := buf.String()
	assert.Contains(t, out, token)
	assert.Contains(t, out, oldID)
	assertNoValue(t, out)
}
