package keyring_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/engine"
	"github.com/acme/secrets-platform/rotator/metric"
	"github.com/acme/secrets-platform/rotator/strategy/keyring"
	ring "github.com/acme/secrets-platform/secretcache/keyring"
)

// jamMaxKeys is small so that a few rotations reach the bound.
const jamMaxKeys = 5

// freeSlots reads the KeyringFreeSlots values from EMF lines.
func freeSlots(t *testing.T, out *bytes.Buffer) []int {
	t.Helper()
	var got []int
	for _, line := range bytes.Split(bytes.TrimSpace(out.Bytes()), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal(line, &m), "metric line %s", line)
		v, ok := m[contract.MetricKeyringFreeSlots].(float64)
		require.True(t, ok, "metric line %s has no %s", line, contract.MetricKeyringFreeSlots)
		got = append(got, int(v))
	}
	out.Reset()
	return got
}

// rotator is a keyring rotation function as deployed with retire in its
// settings, its metrics going to out.
func rotator(t *testing.T, env *rotatortest.Env, retire []string, out *bytes.Buffer) *engine.Handler {
	t.Helper()
	m, err := metric.New(out, "test-rotate-app-keys", time.Now)
	require.NoError(t, err)
	s, err := keyring.New(contract.Ring{MaxKeys: jamMaxKeys, Retire: retire}, nil, nil, m)
	require.NoError(t, err)
	return engine.NewHandler(env.Client(nil), s, rotatortest.Logger(t))
}

// TestTwelveRotationsWithRetirementNeverFail starts from the program's
// placeholder and plays the operator the alarm calls: whenever a rotation
// reports KeyringAlarmFreeSlots or fewer free slots, every key but the
// active one is re-encrypted away and listed for retirement (a stack config
// change, so a redeployed function). Twelve rotations never fail.
func TestTwelveRotationsWithRetirementNeverFail(t *testing.T) {
	env := rotatortest.New(t)
	sec := env.CreatePlaceholderSecret(t, "/test/keyring/jam-retire", nil)
	var out bytes.Buffer
	var retire []string
	alarms := 0
	for i := 1; i <= 12; i++ {
		before := env.Current(t, sec.ARN)
		token := env.StartRotation(t, sec.ARN)
		for _, step := range rotatortest.Steps() {
			require.NoError(t, rotatortest.Step(t.Context(), rotator(t, env, retire, &out), sec.ARN, token, step), "rotation %d, %s", i, step)
		}
		env.AssertRotated(t, sec.ARN, before, token)
		free := freeSlots(t, &out)
		require.Len(t, free, 1, "rotation %d: metric lines %v, want one (createSecret's)", i, free)
		now, err := ring.Parse([]byte(env.Current(t, sec.ARN).Value))
		require.NoError(t, err)
		assert.Equal(t, jamMaxKeys-now.Len(), free[0], "rotation %d: free slots reported %d for a ring of %d keys", i, free[0], now.Len())
		if free[0] <= contract.KeyringAlarmFreeSlots {
			alarms++
			retire = nil
			for _, id := range now.IDs() {
				if id != now.Active() {
					retire = append(retire, id)
				}
			}
		}
	}
	assert.Positive(t, alarms, "the alarm never fired in twelve rotations of a %d-key ring", jamMaxKeys)
	t.Logf("twelve rotations of a %d-key ring, %d alarms answered with a retirement", jamMaxKeys, alarms)
}

// TestWithoutRetirementTheMetricFiresBeforeTheRingIsFull rotates until the
// ring is full: the alarm's threshold is reported by a rotation that
// succeeds, and only later does a rotation fail, leaving AWSCURRENT alone.
func TestWithoutRetirementTheMetricFiresBeforeTheRingIsFull(t *testing.T) {
	env := rotatortest.New(t)
	sec := env.CreatePlaceholderSecret(t, "/test/keyring/jam-none", nil)
	var out bytes.Buffer
	h := rotator(t, env, nil, &out)
	firstAlarm := 0
	for i := 1; ; i++ {
		require.LessOrEqual(t, i, jamMaxKeys+1, "the ring never filled")
		before := env.Current(t, sec.ARN)
		token := env.StartRotation(t, sec.ARN)
		err := rotatortest.Step(t.Context(), h, sec.ARN, token, engine.StepCreate)
		free := freeSlots(t, &out)
		require.Len(t, free, 1, "rotation %d: metric lines %v, want one", i, free)
		if free[0] <= contract.KeyringAlarmFreeSlots && firstAlarm == 0 {
			firstAlarm = i
		}
		if err != nil {
			assert.True(t, errors.Is(err, keyring.ErrRingFull), "rotation %d: got %v, want %v", i, err, keyring.ErrRingFull)
			assert.Equal(t, 0, free[0], "the failing rotation reports %d free slots", free[0])
			env.AssertUnchanged(t, sec.ARN, before)
			require.NotZero(t, firstAlarm, "the metric never reached the alarm's threshold")
			assert.Equal(t, i-3, firstAlarm, "the alarm fired at rotation %d, the ring jammed at %d: want %d rotations of warning",
				firstAlarm, i, contract.KeyringAlarmFreeSlots+1)
			t.Logf("alarm threshold (%d free) reported at rotation %d; rotation %d fails with a full ring", contract.KeyringAlarmFreeSlots, firstAlarm, i)
			return
		}
		rotatortest.RunSteps(t, h, sec.ARN, token, engine.StepSet, engine.StepTest, engine.StepFinish)
		env.AssertRotated(t, sec.ARN, before, token)
	}
}

func TestFirstRingFromThePlaceholder(t *testing.T) {
	s := newStrategy(t, 10)
	r := engine.Rotation{Token: "t", Current: engine.Version{ID: "v0", Value: []byte(`{}`), Placeholder: true}}
	first, err := s.Create(t.Context(), r)
	require.NoError(t, err)
	got, err := ring.Parse(first)
	require.NoError(t, err)
	assert.Equal(t, 1, got.Len(), "a first ring holds %d keys, want 1", got.Len())
	r.Pending = engine.Version{ID: "t", Value: first}
	assert.NoError(t, s.Test(t.Context(), r), "Test of the first ring")

	second := create(t, s, first)
	r.Pending.Value = second
	err = s.Test(t.Context(), r)
	assert.ErrorContains(t, err, fmt.Sprintf("holds %d keys, want its active key only", 2))
}
