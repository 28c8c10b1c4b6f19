package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/grace"
)

// recorder stands in for the engine and the sweeper: the dispatcher's only
// job is routing, which is what these tests check.
type recorder struct {
	rotations []events.SecretsManagerSecretRotationEvent
	sweeps    [][]string
	sweepErr  error
}

func (r *recorder) dispatcher(withSweep bool) *dispatcher {
	d := &dispatcher{
		rotate: func(_ context.Context, ev events.SecretsManagerSecretRotationEvent) error {
			r.rotations = append(r.rotations, ev)
			return nil
		},
		log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if withSweep {
		d.sweep = func(_ context.Context, ids []string) ([]grace.Result, error) {
			r.sweeps = append(r.sweeps, ids)
			return nil, r.sweepErr
		}
	}
	return d
}

const (
	secretARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:/dev/integrations/twilio-AbCdEf"
	otherARN  = "arn:aws:secretsmanager:us-east-1:111122223333:secret:/dev/integrations/other-GhIjKl"
)

func sweepEvent(t *testing.T, ids ...string) json.RawMessage {
	t.Helper()
	raw, err := contract.SweepEvent{Action: contract.ActionRevokeExpired, SecretIDs: ids}.JSON()
	require.NoError(t, err)
	return json.RawMessage(raw)
}

func TestDispatchRoutesByEventShape(t *testing.T) {
	rotation := json.RawMessage(`{"SecretId":"` + secretARN + `","ClientRequestToken":"t-1","Step":"createSecret"}`)

	r := &recorder{}
	d := r.dispatcher(true)
	require.NoError(t, d.Handle(context.Background(), rotation))
	require.NoError(t, d.Handle(context.Background(), sweepEvent(t, secretARN, otherARN)))
	require.Len(t, r.rotations, 1)
	assert.Equal(t, "createSecret", r.rotations[0].Step)
	assert.Equal(t, "t-1", r.rotations[0].ClientRequestToken)
	assert.Equal(t, [][]string{{secretARN, otherARN}}, r.sweeps, "the sweep gets every secret of the event")
}

func TestSweepErrorIsTheFunctionsError(t *testing.T) {
	r := &recorder{sweepErr: errors.New("sweep 1 of 2 secrets failed (" + otherARN + ")")}
	err := r.dispatcher(true).Handle(context.Background(), sweepEvent(t, secretARN, otherARN))
	assert.ErrorIs(t, err, r.sweepErr)
}

func TestSweepToANonSweepingRotatorFails(t *testing.T) {
	r := &recorder{}
	err := r.dispatcher(false).Handle(context.Background(), sweepEvent(t, secretARN))
	assert.ErrorIs(t, err, errNoSweeper)
	assert.Empty(t, r.rotations, "a misrouted sweep must not start a rotation")
}

func TestMalformedEventsFail(t *testing.T) {
	r := &recorder{}
	d := r.dispatcher(true)
	for name, raw := range map[string]string{
		"not json":                  `{`,
		"unknown action":            `{"secretIds":["x"],"action":"delete-everything"}`,
		"one secret id (old shape)": `{"secretId":"x","action":"revoke-expired"}`,
	} {
		t.Run(name, func(t *testing.T) {
			assert.Error(t, d.Handle(context.Background(), json.RawMessage(raw)))
		})
	}
	assert.Empty(t, r.rotations)
	assert.Empty(t, r.sweeps)
}
