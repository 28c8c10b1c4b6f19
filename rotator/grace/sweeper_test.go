package grace

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/rotatortest"
)

func TestSweeper(t *testing.T) {
	sm := rotatortest.New(t).SM
	const grace = time.Hour
	// moto reports every version's CreatedDate as the moment of the listing, so
	// "now" before the grace is the wall clock and "after" is past it.
	before := time.Now
	after := func() time.Time { return time.Now().Add(grace + time.Minute) }

	tests := []struct {
		name      string
		keys      []string // key ids of the versions, oldest first
		pendingID string   // a key id to put in an AWSPENDING version
		action    string
		now       func() time.Time
		revokeErr error
		sweeps    int
		want      Outcome
		wantKeyID string
		wantErr   string
		// wantRevokes are the keys the provider was asked to revoke.
		wantRevokes []string
	}{
		{name: "before the grace nothing is revoked", keys: []string{"k1", "k2"}, now: before, want: OutcomeWithinGrace},
		{name: "after the grace exactly the previous key is revoked", keys: []string{"k1", "k2"}, now: after,
			want: OutcomeRevoked, wantKeyID: "k1", wantRevokes: []string{"k1"}},
		{name: "a second sweep is idempotent", keys: []string{"k1", "k2"}, now: after, sweeps: 2,
			want: OutcomeRevoked, wantKeyID: "k1", wantRevokes: []string{"k1", "k1"}},
		{name: "only the previous of three versions is revoked", keys: []string{"k1", "k2", "k3"}, now: after,
			want: OutcomeRevoked, wantKeyID: "k2", wantRevokes: []string{"k2"}},
		{name: "never rotated", keys: []string{"k1"}, now: after, want: OutcomeNoPrevious},
		{name: "previous was a placeholder", keys: []string{"", "k2"}, now: after, want: OutcomeNoKey},
		{name: "previous key is still the current key", keys: []string{"k1", "k1"}, now: after,
			want: OutcomeKeyInUse, wantKeyID: "k1"},
		{name: "previous key is the pending key", keys: []string{"k1", "k2"}, pendingID: "k1", now: after,
			want: OutcomeKeyInUse, wantKeyID: "k1"},
		{name: "revoke fails", keys: []string{"k1", "k2"}, now: after, revokeErr: errors.New("provider down"),
			wantErr: "revoke previous key k1: provider down", wantRevokes: []string{"k1"}},
		{name: "unknown action", keys: []string{"k1", "k2"}, action: "revoke-all", now: after,
			wantErr: `unknown action "revoke-all"`},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arn, ids := secretWith(t, sm, fmt.Sprintf("sweep-%02d", i), tt.keys...)
			if tt.pendingID != "" {
				_, err := sm.PutSecretValue(context.Background(), &secretsmanager.PutSecretValueInput{
					SecretId:           aws.String(arn),
					ClientRequestToken: aws.String(versionToken("pending", i)),
					SecretString:       aws.String(keyValue(tt.pendingID)),
					VersionStages:      []string{"AWSPENDING"},
				})
				require.NoError(t, err, "put pending version")
			}
			p := newProvider(tt.keys...)
			p.revokeErr = tt.revokeErr
			s, err := NewSweeper(sm, p, grace, tt.now)
			require.NoError(t, err)
			action := ActionRevokeExpired
			if tt.action != "" {
				action = tt.action
			}
			var got Result
			for range max(tt.sweeps, 1) {
				got, err = s.Sweep(context.Background(), SweepEvent{SecretID: arn, Action: action})
			}
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr, "error %q, want it to contain %q", err, tt.wantErr)
				assert.False(t, strings.Contains(err.Error(), "secret-of-"), "error leaks a key secret (error not shown: it would print the secret)")
			} else {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got.Outcome, "outcome = %s, want %s", got.Outcome, tt.want)
				assert.Equal(t, tt.wantKeyID, got.KeyID, "key id = %q, want %q", got.KeyID, tt.wantKeyID)
			}
			assert.Equal(t, tt.wantRevokes, p.revoked(), "revoked %v, want %v", p.revoked(), tt.wantRevokes)
			current := tt.keys[len(tt.keys)-1]
			assert.True(t, p.isActive(current), "current key %s was revoked (versions %v)", current, ids)
			if tt.want == OutcomeWithinGrace {
				assert.False(t, got.NotBefore.IsZero(), "within grace, NotBefore is zero, want the end of the grace")
			}
		})
	}

	t.Run("secret that does not exist", func(t *testing.T) {
		s, err := NewSweeper(sm, newProvider(), grace, after)
		require.NoError(t, err)
		_, err = s.Sweep(context.Background(), SweepEvent{SecretID: "no-such-secret", Action: ActionRevokeExpired})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "list versions of no-such-secret", "error %q, want the listing step named", err)
	})
}

func TestNewSweeperRefusesBadArguments(t *testing.T) {
	tests := []struct {
		name  string
		grace time.Duration
		now   func() time.Time
	}{
		{name: "zero grace", grace: 0, now: time.Now},
		{name: "negative grace", grace: -time.Minute, now: time.Now},
		{name: "no clock", grace: time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewSweeper(&secretsmanager.Client{}, newProvider(), tt.grace, tt.now)
			assert.Error(t, err, "NewSweeper(grace %s) succeeded, want an error", tt.grace)
		})
	}
}
