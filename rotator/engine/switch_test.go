package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/engine"
)

// recorder is the random strategy as a SwitchRecorder with a fixed clock.
type recorder struct {
	engine.Strategy
	at time.Time
}

func (r recorder) SwitchTime() time.Time { return r.at }

// Needs keeps random's: it reads nothing in Set and Test.
func (r recorder) Needs() engine.Needs { return engine.Needs{} }

// failSwitchLabel fails the first UpdateSecretVersionStage that moves a
// switch label: a Lambda that died between finishSecret's two calls.
type failSwitchLabel struct {
	engine.SecretsAPI
	failed bool
}

var errCrash = errors.New("crash between the two label moves")

func (f *failSwitchLabel) UpdateSecretVersionStage(ctx context.Context, in *secretsmanager.UpdateSecretVersionStageInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.UpdateSecretVersionStageOutput, error) {
	if !f.failed && strings.HasPrefix(aws.ToString(in.VersionStage), contract.SwitchedStagePrefix) {
		f.failed = true
		return nil, errCrash
	}
	return f.SecretsAPI.UpdateSecretVersionStage(ctx, in, optFns...)
}

// TestFinishRecordsTheSwitch: a SwitchRecorder's finishSecret labels the new
// AWSCURRENT with the switch time, one call more; a finishSecret retried
// after dying between the move and the label still records it; a strategy
// that is no SwitchRecorder gets no label.
func TestFinishRecordsTheSwitch(t *testing.T) {
	env := rotatortest.New(t)
	at := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	switchLabels := func(arn, id string) []string {
		var out []string
		for _, l := range env.Stages(t, arn)[id] {
			if strings.HasPrefix(l, contract.SwitchedStagePrefix) {
				out = append(out, l)
			}
		}
		return out
	}

	t.Run("recorded at the switch", func(t *testing.T) {
		sec := env.CreateSecret(t, "/test/engine/switch", "initial-value")
		calls := rotatortest.NewCounter()
		h := engine.NewHandler(env.Client(calls), recorder{randomStrategy(t), at}, rotatortest.Logger(t))
		token := env.Rotate(t, h, sec.ARN)
		assert.Equal(t, []string{contract.SwitchedStage(at)}, switchLabels(sec.ARN, token))
		assert.Equal(t, 2, calls.Count("UpdateSecretVersionStage"), "finishSecret: AWSCURRENT, then the switch label")
	})

	t.Run("a finishSecret retried after a crash records it", func(t *testing.T) {
		sec := env.CreateSecret(t, "/test/engine/switch-crash", "initial-value")
		before := env.Current(t, sec.ARN)
		api := &failSwitchLabel{SecretsAPI: env.Client(nil)}
		h := engine.NewHandler(api, recorder{randomStrategy(t), at}, rotatortest.Logger(t))
		token := env.StartRotation(t, sec.ARN)
		rotatortest.RunSteps(t, h, sec.ARN, token, engine.StepCreate, engine.StepSet, engine.StepTest)
		err := rotatortest.Step(t.Context(), h, sec.ARN, token, engine.StepFinish)
		require.ErrorIs(t, err, errCrash)
		assert.Empty(t, switchLabels(sec.ARN, token), "a label after the failed call")
		rotatortest.RunSteps(t, h, sec.ARN, token, engine.StepFinish)
		env.AssertRotated(t, sec.ARN, before, token)
		assert.Equal(t, []string{contract.SwitchedStage(at)}, switchLabels(sec.ARN, token))
	})

	t.Run("no label for other strategies", func(t *testing.T) {
		sec := env.CreateSecret(t, "/test/engine/no-switch", "initial-value")
		token := env.Rotate(t, engine.NewHandler(env.Client(nil), randomStrategy(t), rotatortest.Logger(t)), sec.ARN)
		assert.Empty(t, switchLabels(sec.ARN, token))
	})
}
