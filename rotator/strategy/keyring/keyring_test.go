package keyring_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/engine"
	"github.com/acme/secrets-platform/rotator/strategy/keyring"
	ring "github.com/acme/secrets-platform/secretcache/keyring"
)

func fixed() time.Time { return time.Date(2026, 11, 29, 18, 0, 0, 0, time.UTC) }

func key(b byte) []byte { return bytes.Repeat([]byte{b}, ring.KeySize) }

func bootstrap() []byte {
	return fmt.Appendf(nil, `{"active":"k1","keys":{"k1":%q}}`, base64.StdEncoding.EncodeToString(key(1)))
}

func newStrategy(t *testing.T, maxKeys int, retire ...string) *keyring.Strategy {
	t.Helper()
	s, err := keyring.New(contract.Ring{MaxKeys: maxKeys, Retire: retire}, nil, fixed, nil)
	require.NoError(t, err)
	return s
}

func create(t *testing.T, s *keyring.Strategy, cur []byte) []byte {
	t.Helper()
	v, err := s.Create(context.Background(), engine.Rotation{Current: engine.Version{ID: "v-cur", Value: cur}})
	require.NoError(t, err)
	return v
}

func TestCreateAddsAnActiveKeyAndKeepsTheOld(t *testing.T) {
	tests := []struct {
		name string
		cur  []byte
	}{
		{"bootstrap ring", bootstrap()},
		{"legacy bare key", []byte(base64.StdEncoding.EncodeToString(key(1)))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStrategy(t, 10)
			v := create(t, s, tt.cur)
			old, err := ring.Parse(tt.cur)
			require.NoError(t, err)
			next, err := ring.Parse(v)
			require.NoError(t, err)
			assert.Equal(t, 2, next.Len())
			assert.True(t, next.SameKey(old, "k1"), "k1 must survive unchanged")
			assert.NotEqual(t, "k1", next.Active())
			assert.True(t, strings.HasPrefix(next.Active(), "k20261129T180000Z-"), "id %q: want creation time then a random suffix", next.Active())
			assert.NoError(t, s.Test(context.Background(), engine.Rotation{
				Token: "t", Current: engine.Version{ID: "v-cur", Value: tt.cur}, Pending: engine.Version{ID: "t", Value: v},
			}))
		})
	}
}

func TestCreateRefusesAFullRing(t *testing.T) {
	s := newStrategy(t, 3)
	v := create(t, s, bootstrap())
	v = create(t, s, v)
	_, err := s.Create(context.Background(), engine.Rotation{Current: engine.Version{ID: "v3", Value: v}})
	require.ErrorIs(t, err, keyring.ErrRingFull)
	assert.Contains(t, err.Error(), "3 keys, the limit is 3")

	r, err := ring.Parse(v)
	require.NoError(t, err)
	retiring := newStrategy(t, 3, "k1")
	next, err := ring.Parse(create(t, retiring, v))
	require.NoError(t, err)
	assert.False(t, next.Has("k1"), "the retired key must go")
	assert.Equal(t, 3, next.Len(), "retirement made room for exactly one new key")
	for _, id := range r.IDs() {
		if id != "k1" {
			assert.True(t, next.SameKey(r, id), "key %s must survive", id)
		}
	}
}

func TestRetirementNeverDropsTheActiveKey(t *testing.T) {
	s := newStrategy(t, 10, "k1")
	_, err := s.Create(context.Background(), engine.Rotation{Current: engine.Version{ID: "v1", Value: bootstrap()}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "active key")
}

func TestTestGuardsAgainstDataLoss(t *testing.T) {
	s := newStrategy(t, 10)
	cur := create(t, s, bootstrap()) // k1 + one new key
	good := create(t, s, cur)
	curRing, err := ring.Parse(cur)
	require.NoError(t, err)

	lost, err := curRing.Without("k1")
	require.NoError(t, err)
	lostKey, err := lost.WithActiveKey("k9", key(9))
	require.NoError(t, err)
	lostJSON, err := lostKey.Marshal()
	require.NoError(t, err)

	// The current ring's keys with the older one active: no key is new.
	var doc map[string]any
	require.NoError(t, json.Unmarshal(cur, &doc))
	doc["active"] = "k1"
	otherActive, err := json.Marshal(doc)
	require.NoError(t, err)
	changed, err := ring.New("k1", key(7))
	require.NoError(t, err)
	changedJSON, err := changed.Marshal()
	require.NoError(t, err)

	tests := []struct {
		name    string
		s       *keyring.Strategy
		pending []byte
		wantErr string
	}{
		{"good", s, good, ""},
		{"same ring: the configuration test", s, cur, ""},
		{"same ring with a retirement pending: the configuration test", newStrategy(t, 10, "k1"), cur, ""},
		{"same keys, another one active: no new key", s, otherActive, "is not new"},
		{"a key was dropped", s, lostJSON, "lost or changed key"},
		{"a key was replaced", s, changedJSON, "lost or changed key"},
		{"pending is not a ring", s, []byte("nope"), "read pending version"},
		{"retired key still there", newStrategy(t, 10, "k1"), good, `retired key "k1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.s.Test(context.Background(), engine.Rotation{
				Token: "t", Current: engine.Version{ID: "c", Value: cur}, Pending: engine.Version{ID: "t", Value: tt.pending},
			})
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.False(t, strings.Contains(err.Error(), base64.StdEncoding.EncodeToString(key(1))), "error must not contain key material")
		})
	}
}

func TestCreateErrorsHoldNoKeyMaterial(t *testing.T) {
	secret := base64.StdEncoding.EncodeToString(key(5))
	tests := []struct {
		name string
		s    *keyring.Strategy
		cur  string
	}{
		{"short legacy key", newStrategy(t, 10), secret[:20]},
		{"active missing", newStrategy(t, 10), fmt.Sprintf(`{"active":"k2","keys":{"k1":%q}}`, secret)},
		{"broken JSON", newStrategy(t, 10), fmt.Sprintf(`{"active":"k1","keys":{"k1":%q`, secret)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.s.Create(context.Background(), engine.Rotation{Current: engine.Version{ID: "v1", Value: []byte(tt.cur)}})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "v1")
			assert.False(t, strings.Contains(err.Error(), secret[:20]), "error must not contain key material")
		})
	}
}

func TestCreateFailsWhenRandomnessFails(t *testing.T) {
	boom := errors.New("no entropy")
	s, err := keyring.New(contract.Ring{}, iotest.ErrReader(boom), fixed, nil)
	require.NoError(t, err)
	_, err = s.Create(context.Background(), engine.Rotation{Current: engine.Version{ID: "v1", Value: bootstrap()}})
	assert.ErrorIs(t, err, boom)
}
