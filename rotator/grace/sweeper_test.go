package grace_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/grace"
)

func TestSweeper(t *testing.T) {
	sm := rotatortest.New(t).SM
	const period = time.Hour
	// secretWith labels the last switch with the wall clock, so "now" before
	// the grace is the wall clock and "after" is past it.
	before := time.Now
	after := func() time.Time { return time.Now().Add(period + time.Minute) }

	tests := []struct {
		name      string
		keys      []string // key ids of the versions, oldest first
		pendingID string   // a key id to put in an AWSPENDING version
		now       func() time.Time
		revokeErr error
		sweeps    int
		want      grace.Outcome
		wantKeyID string
		wantErr   string
		// wantRevokes are the keys the provider was asked to revoke.
		wantRevokes []string
	}{
		{name: "before the grace nothing is revoked", keys: []string{"k1", "k2"}, now: before, want: grace.OutcomeWithinGrace},
		{name: "after the grace exactly the previous key is revoked", keys: []string{"k1", "k2"}, now: after,
			want: grace.OutcomeRevoked, wantKeyID: "k1", wantRevokes: []string{"k1"}},
		{name: "a second sweep finds the key revoked and asks the provider nothing", keys: []string{"k1", "k2"}, now: after, sweeps: 2,
			want: grace.OutcomeRevoked, wantKeyID: "", wantRevokes: []string{"k1"}},
		{name: "only the previous of three versions is revoked", keys: []string{"k1", "k2", "k3"}, now: after,
			want: grace.OutcomeRevoked, wantKeyID: "k2", wantRevokes: []string{"k2"}},
		{name: "never rotated", keys: []string{"k1"}, now: after, want: grace.OutcomeNoPrevious},
		{name: "previous was a placeholder", keys: []string{"", "k2"}, now: after, want: grace.OutcomeNoKey},
		{name: "previous key is still the current key", keys: []string{"k1", "k1"}, now: after,
			want: grace.OutcomeKeyInUse, wantKeyID: "k1"},
		{name: "previous key is the pending key", keys: []string{"k1", "k2"}, pendingID: "k1", now: after,
			want: grace.OutcomeKeyInUse, wantKeyID: "k1"},
		{name: "revoke fails", keys: []string{"k1", "k2"}, now: after, revokeErr: errors.New("provider down"),
			wantErr: "revoke previous key k1: provider down", wantRevokes: []string{"k1"}},
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
			s, err := grace.NewSweeper(sm, p, period, tt.now)
			require.NoError(t, err)
			var got grace.Result
			for range max(tt.sweeps, 1) {
				var res []grace.Result
				res, err = s.Sweep(context.Background(), []string{arn})
				if err == nil {
					require.Len(t, res, 1)
					got = res[0]
				}
			}
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr, "error %q, want it to contain %q", err, tt.wantErr)
				assert.False(t, strings.Contains(err.Error(), "secret-of-"), "error leaks a key secret (error not shown: it would print the secret)")
			} else {
				require.NoError(t, err)
				assert.Equal(t, arn, got.SecretID, "result names %q, want the swept secret", got.SecretID)
				assert.Equal(t, tt.want, got.Outcome, "outcome = %s, want %s", got.Outcome, tt.want)
				assert.Equal(t, tt.wantKeyID, got.KeyID, "key id = %q, want %q", got.KeyID, tt.wantKeyID)
			}
			assert.Equal(t, tt.wantRevokes, p.revoked(), "revoked %v, want %v", p.revoked(), tt.wantRevokes)
			current := tt.keys[len(tt.keys)-1]
			assert.True(t, p.isActive(current), "current key %s was revoked (versions %v)", current, ids)
			if tt.want == grace.OutcomeWithinGrace {
				assert.False(t, got.NotBefore.IsZero(), "within grace, NotBefore is zero, want the end of the grace")
			}
			if tt.wantErr == "" {
				labels := switchLabels(t, sm, arn)
				if len(tt.keys) > 1 {
					assert.Equal(t, map[string][]string{ids[len(ids)-1]: labels[ids[len(ids)-1]]}, labels, "switch labels %v, want one, on the current version", labels)
					assert.Len(t, labels[ids[len(ids)-1]], 1, "switch labels %v, want one, on the current version", labels)
				}
			}
		})
	}

	t.Run("the revoked label follows the next rotation's previous key", func(t *testing.T) {
		ctx := context.Background()
		arn, ids := secretWith(t, sm, "sweep-label-moves", "k1", "k2")
		p := newProvider("k1", "k2", "k3")
		s, err := grace.NewSweeper(sm, p, period, after)
		require.NoError(t, err)
		_, err = s.Sweep(ctx, []string{arn})
		require.NoError(t, err)
		// The next rotation: k3 becomes current, k2 previous.
		v3 := versionToken("sweep-label-moves", 2)
		_, err = sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(arn), ClientRequestToken: aws.String(v3),
			SecretString: aws.String(keyValue("k3")), VersionStages: []string{"AWSPENDING"}})
		require.NoError(t, err)
		_, err = sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String(arn),
			VersionStage: aws.String("AWSCURRENT"), MoveToVersionId: aws.String(v3), RemoveFromVersionId: aws.String(ids[1])})
		require.NoError(t, err)
		label(t, sm, arn, v3, contract.SwitchedStage(time.Now()))
		got, err := s.Sweep(ctx, []string{arn})
		require.NoError(t, err)
		assert.Equal(t, "k2", got[0].KeyID)
		assert.Equal(t, []string{"k1", "k2"}, p.revoked(), "each previous key revoked once")
		out, err := sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(arn)})
		require.NoError(t, err)
		var carrying []string
		for id, ls := range out.VersionIdsToStages {
			if slices.Contains(ls, contract.RevokedStage) {
				carrying = append(carrying, id)
			}
		}
		assert.Equal(t, []string{ids[1]}, carrying, "the %s label sits on the last revoked version only", contract.RevokedStage)
	})

	t.Run("a failing secret does not stop the others", func(t *testing.T) {
		a, _ := secretWith(t, sm, "sweep-many-a", "ka1", "ka2")
		b, _ := secretWith(t, sm, "sweep-many-b", "kb1", "kb2")
		p := newProvider("ka1", "ka2", "kb1", "kb2")
		s, err := grace.NewSweeper(sm, p, period, after)
		require.NoError(t, err)
		got, err := s.Sweep(context.Background(), []string{a, "no-such-secret", b, "gone-too"})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "sweep 2 of 4 secrets failed (no-such-secret, gone-too)", "error %q, want the failed ids named", err)
		assert.Contains(t, err.Error(), "describe no-such-secret", "error %q, want the failing call named", err)
		assert.False(t, strings.Contains(err.Error(), "secret-of-"), "error leaks a key secret (error not shown: it would print the secret)")
		require.Len(t, got, 2, "results %+v, want one per swept secret", got)
		assert.Equal(t, []string{a, b}, []string{got[0].SecretID, got[1].SecretID})
		assert.Equal(t, []string{"ka1", "kb1"}, p.revoked(), "revoked %v, want the previous key of both good secrets", p.revoked())
	})
}

func TestNewSweeperRefusesBadArguments(t *testing.T) {
	tests := []struct {
		name  string
		grace time.Duration
		now   func() time.Time
	}{
		{name: "negative grace", grace: -time.Minute, now: time.Now},
		{name: "no clock", grace: time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := grace.NewSweeper(&secretsmanager.Client{}, newProvider(), tt.grace, tt.now)
			assert.Error(t, err, "NewSweeper(grace %s) succeeded, want an error", tt.grace)
		})
	}
}

func TestZeroGraceIsTheDefaultPeriod(t *testing.T) {
	sm := rotatortest.New(t).SM
	arn, _ := secretWith(t, sm, "default-period", "k1", "k2")
	for _, tt := range []struct {
		after time.Duration
		want  grace.Outcome
	}{
		{grace.DefaultPeriod - time.Minute, grace.OutcomeWithinGrace},
		{grace.DefaultPeriod + time.Minute, grace.OutcomeRevoked},
	} {
		s, err := grace.NewSweeper(sm, newProvider("k1", "k2"), 0, func() time.Time { return time.Now().Add(tt.after) })
		require.NoError(t, err)
		res, err := s.Sweep(context.Background(), []string{arn})
		require.NoError(t, err)
		assert.Equal(t, tt.want, res[0].Outcome, "%s after the switch: outcome %s, want %s", tt.after, res[0].Outcome, tt.want)
	}
}

// TestGraceCountsFromTheSwitchLabel: the grace runs from the switch label,
// not from when the version was made; a current version without a label gets
// one at the first sweep, and its grace starts then.
func TestGraceCountsFromTheSwitchLabel(t *testing.T) {
	sm := rotatortest.New(t).SM
	const period = time.Hour
	clk := &rotatortest.Clock{}

	t.Run("a switch hours after the version was made", func(t *testing.T) {
		// The pending version is made now; finishSecret runs three hours on.
		arn, ids := unlabelledSecretWith(t, sm, "switch-late", "k1", "k2")
		clk.Advance(3 * time.Hour)
		label(t, sm, arn, ids[1], contract.SwitchedStage(clk.Now()))
		p := newProvider("k1", "k2")
		s, err := grace.NewSweeper(sm, p, period, clk.Now)
		require.NoError(t, err)
		clk.Advance(period - time.Minute)
		res, err := s.Sweep(t.Context(), []string{arn})
		require.NoError(t, err)
		assert.Equal(t, grace.OutcomeWithinGrace, res[0].Outcome, "%s after the switch (and 3h59m after createSecret): outcome %s", period-time.Minute, res[0].Outcome)
		assert.True(t, p.isActive("k1"), "the replaced key was revoked inside its grace")
		clk.Advance(2 * time.Minute)
		res, err = s.Sweep(t.Context(), []string{arn})
		require.NoError(t, err)
		assert.Equal(t, grace.OutcomeRevoked, res[0].Outcome, "%s after the switch: outcome %s", period+time.Minute, res[0].Outcome)
		assert.False(t, p.isActive("k1"), "the replaced key is live past its grace")
	})

	t.Run("no label: the first sweep labels the switch", func(t *testing.T) {
		arn, ids := unlabelledSecretWith(t, sm, "switch-unlabelled", "k1", "k2")
		p := newProvider("k1", "k2")
		s, err := grace.NewSweeper(sm, p, period, clk.Now)
		require.NoError(t, err)
		res, err := s.Sweep(t.Context(), []string{arn})
		require.NoError(t, err)
		assert.Equal(t, grace.OutcomeWithinGrace, res[0].Outcome)
		want := contract.SwitchedStage(clk.Now())
		assert.Equal(t, map[string][]string{ids[1]: {want}}, switchLabels(t, sm, arn), "want the current version labelled with the sweep's time")
		clk.Advance(period + time.Minute)
		res, err = s.Sweep(t.Context(), []string{arn})
		require.NoError(t, err)
		assert.Equal(t, grace.OutcomeRevoked, res[0].Outcome)
	})

	t.Run("old switch labels are removed", func(t *testing.T) {
		arn, ids := secretWith(t, sm, "switch-many", "k1", "k2", "k3", "k4")
		require.Len(t, switchLabels(t, sm, arn), 3, "setup: three switches labelled")
		s, err := grace.NewSweeper(sm, newProvider("k1", "k2", "k3", "k4"), period, time.Now)
		require.NoError(t, err)
		_, err = s.Sweep(t.Context(), []string{arn})
		require.NoError(t, err)
		labels := switchLabels(t, sm, arn)
		assert.Len(t, labels, 1, "switch labels %v, want the newest only", labels)
		assert.Len(t, labels[ids[3]], 1, "switch labels %v, want the newest only, on the current version", labels)
	})
}
