package grace_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/rotator/engine"
	"github.com/acme/secrets-platform/rotator/grace"
)

func TestGate(t *testing.T) {
	sm := rotatortest.New(t).SM
	const period = time.Hour
	before := time.Now
	after := func() time.Time { return time.Now().Add(period + time.Minute) }

	tests := []struct {
		name        string
		keys        []string
		active      []string // keys the provider still knows
		now         func() time.Time
		wantInGrace bool
		wantRevokes []string
	}{
		{name: "first rotation", keys: []string{"k1"}, active: []string{"k1"}, now: before},
		{name: "previous key inside its grace refuses", keys: []string{"k1", "k2"}, active: []string{"k1", "k2"},
			now: before, wantInGrace: true},
		{name: "previous key revoked by hand lets it run", keys: []string{"k1", "k2"}, active: []string{"k2"}, now: before},
		{name: "previous key past its grace is revoked first", keys: []string{"k1", "k2"}, active: []string{"k1", "k2"},
			now: after, wantRevokes: []string{"k1"}},
		{name: "placeholder previous needs nothing", keys: []string{"", "k2"}, active: []string{"k2"}, now: before},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arn, ids := secretWith(t, sm, fmt.Sprintf("gate-%02d", i), tt.keys...)
			p := newProvider(tt.active...)
			g, err := grace.NewGate(sm, p, period, tt.now)
			require.NoError(t, err)
			// The engine hands Create the current value only.
			r := engine.Rotation{
				SecretARN: arn,
				Token:     versionToken("next", i),
				Current:   engine.Version{ID: ids[len(ids)-1], Value: []byte(keyValue(tt.keys[len(tt.keys)-1]))},
			}
			err = g.Check(context.Background(), r)
			if tt.wantInGrace {
				require.ErrorIs(t, err, grace.ErrPreviousKeyInGrace)
				assert.Contains(t, err.Error(), "key k1", "error %q, want it to name the previous key", err)
				assert.False(t, strings.Contains(err.Error(), "secret-of-"), "error leaks a key secret (error not shown: it would print the secret)")
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.wantRevokes, p.revoked(), "revoked %v, want %v", p.revoked(), tt.wantRevokes)
		})
	}
}
