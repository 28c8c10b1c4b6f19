package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/rotator/grace"
)

// recorder stands in for the engine and the sweeper: the dispatcher's only
// job is routing, which is what these tests check.
type recorder struct {
	rotations []events.SecretsManagerSecretRotationEvent
	sweeps    []grace.SweepEvent
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
		d.sweep = func(_ context.Context, ev grace.SweepEvent) (grace.Result, error) {
			r.sweeps = append(r.sweeps, ev)
			return grace.Result{}, nil
		}
	}
	return d
}

const secretARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:/dev/integrations/twilio-AbCdEf"

func TestDispatchRoutesByEventShape(t *testing.T) {
	rotation := json.RawMessage(`{"SecretId":"` + secretARN + `","ClientRequestToken":"t-1","Step":"createSecret"}`)
	sweep := json.RawMessage(`{"secretId":"` + secretARN + `","action":"revoke-expired"}`)

	r := &recorder{}
	d := r.dispatcher(true)
	require.NoError(t, d.Handle(context.Background(), rotation))
	require.NoError(t, d.Handle(context.Background(), sweep))
	require.Len(t, r.rotations, 1)
	assert.Equal(t, "createSecret", r.rotations[0].Step)
	assert.Equal(t, "t-1", r.rotations[0].ClientRequestToken)
	require.Len(t, r.sweeps, 1)
	assert.Equal(t, secretARN, r.sweeps[0].SecretID)
}

func TestSweepToANonSweepingRotatorFails(t *testing.T) {
	r := &recorder{}
	err := r.dispatcher(false).Handle(context.Background(), json.RawMessage(`{"secretId":"`+secretARN+`","action":"revoke-expired"}`))
	assert.ErrorIs(t, err, errNoSweeper)
	assert.Empty(t, r.rotations, "a misrouted sweep must not start a rotation")
}

func TestMalformedEventsFail(t *testing.T) {
	r := &recorder{}
	d := r.dispatcher(true)
	for name, raw := range map[string]string{
		"not json":       `{`,
		"unknown action": `{"secretId":"x","action":"delete-everything"}`,
	} {
		t.Run(name, func(t *testing.T) {
			assert.Error(t, d.Handle(context.Background(), json.RawMessage(raw)))
		})
	}
	assert.Empty(t, r.rotations)
	assert.Empty(t, r.sweeps)
}
