package httpkey

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/rotator/engine"
)

// TestSteps runs Create, Set and Test as the engine would, with the contract's
// shapes broken or a call failing, and checks which step fails, in which
// words, that nothing is revoked and that no secret reaches an error. What
// every strategy must survive is the conformance suite (cmd/rotator).
func TestSteps(t *testing.T) {
	sm := rotatortest.New(t).SM
	tests := []struct {
		name         string
		failOp       string
		failStatus   int
		adminValue   string // admin secret value; "" is a valid one
		adminMissing bool
		currentValue string // overrides the current value
		skipSet      bool
		wantStep     string // the step that fails; "" for none
		wantErr      string
	}{
		{name: "rotation succeeds"},
		{name: "first value holds no key", currentValue: `{}`},
		{name: "admin secret missing", adminMissing: true, wantStep: "create", wantErr: "read admin secret"},
		{name: "admin secret malformed", adminValue: `{"token":"x"}`, wantStep: "create", wantErr: `use admin secret arn:`},
		{name: "current value not JSON", currentValue: "plain-text-key", wantStep: "create", wantErr: "is not a JSON object"},
		{name: "lookup by name fails", failOp: "list", failStatus: http.StatusInternalServerError, wantStep: "create", wantErr: "look up key sm-rotation-"},
		{name: "create fails", failOp: "create", failStatus: http.StatusServiceUnavailable, wantStep: "create", wantErr: "create key sm-rotation-"},
		{name: "activate fails", failOp: "activate", failStatus: http.StatusInternalServerError, wantStep: "set", wantErr: "activate key key-001: POST /v1/keys/key-001/activate: status 500"},
		{name: "test call fails", failOp: "whoami", failStatus: http.StatusBadGateway, wantStep: "test", wantErr: "test key key-001: GET /v1/whoami: status 502"},
		{name: "key never activated", skipSet: true, wantStep: "test", wantErr: "status 401"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, sm, fmt.Sprintf("steps-%02d", i), tt.adminValue)
			if tt.adminMissing {
				f.adminARN += "-gone"
			}
			if tt.failOp != "" {
				f.p.FailOn(tt.failOp, tt.failStatus)
			}
			if tt.currentValue != "" {
				f.current.Value = []byte(tt.currentValue)
			}
			s := f.strategy(t)
			ctx := context.Background()
			r := engine.Rotation{SecretARN: f.secretARN, Token: rotatortest.TokenFor(tt.name[:5]), Current: f.current}

			step, err := "create", error(nil)
			var v []byte
			if v, err = s.Create(ctx, r); err == nil {
				r.Pending = engine.Version{ID: r.Token, Value: v}
				step = "set"
				if !tt.skipSet {
					err = s.Set(ctx, r)
				}
				if err == nil {
					step = "test"
					err = s.Test(ctx, r)
				}
			}

			if tt.wantStep == "" {
				require.NoError(t, err, "step %s", step)
				var got map[string]string
				require.NoError(t, json.Unmarshal(v, &got))
				k, ok := f.p.Key(got["keyId"])
				require.True(t, ok, "new key %s not at the provider", got["keyId"])
				assert.True(t, k.Active, "new key %s inactive after Set, want active", k.ID)
				assert.True(t, got["apiKey"] == k.Secret, "stored apiKey is not the key's secret (not shown)")
				if tt.currentValue == "" {
					assert.Equal(t, "https://api.example.test", got["endpoint"], "endpoint = %q, want it carried over", got["endpoint"])
				}
			} else {
				require.Error(t, err, "want step %s to fail", tt.wantStep)
				assert.Equal(t, tt.wantStep, step, "failed in %s, want %s: %v", step, tt.wantStep, err)
				assert.Contains(t, err.Error(), tt.wantErr, "error %q, want it to contain %q", err, tt.wantErr)
			}
			f.p.AssertNotIn(t, err)
			assert.Empty(t, f.p.Deleted(), "keys deleted %v, want none before the grace", f.p.Deleted())
			old, ok := f.p.Key(f.oldKey.ID)
			assert.True(t, ok && old.Active, "old key %s is no longer active, want it kept through the grace", f.oldKey.ID)
		})
	}
}

// TestRevokeAndActive checks the grace.Revoker side against the contract.
func TestRevokeAndActive(t *testing.T) {
	sm := rotatortest.New(t).SM
	tests := []struct {
		name        string
		value       string // "" means the fixture's old key
		failOp      string
		revokeTwice bool
		wantErr     string
		wantDeleted bool
	}{
		{name: "revokes the key", wantDeleted: true},
		{name: "second revoke is a success", revokeTwice: true, wantDeleted: true},
		{name: "placeholder holds no key", value: `{}`},
		{name: "provider refuses", failOp: "delete", wantErr: "revoke key key-operator: DELETE /v1/keys/key-operator: status 500"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, sm, fmt.Sprintf("revoke-%02d", i), "")
			if tt.failOp != "" {
				f.p.FailOn(tt.failOp, http.StatusInternalServerError)
			}
			s := f.strategy(t)
			v := f.current
			if tt.value != "" {
				v.Value = []byte(tt.value)
			}
			ctx := context.Background()
			active, err := s.Active(ctx, v)
			require.NoError(t, err)
			assert.Equal(t, tt.value == "", active, "Active before revoke = %v", active)

			err = s.Revoke(ctx, v)
			if tt.revokeTwice {
				require.NoError(t, err)
				err = s.Revoke(ctx, v)
			}
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr, "error %q, want it to contain %q", err, tt.wantErr)
				f.p.AssertNotIn(t, err)
			} else {
				require.NoError(t, err)
			}
			_, stillThere := f.p.Key(f.oldKey.ID)
			assert.Equal(t, !tt.wantDeleted, stillThere, "key present after revoke = %v, want %v", stillThere, !tt.wantDeleted)
			if tt.wantDeleted {
				active, err := s.Active(ctx, v)
				require.NoError(t, err)
				assert.False(t, active, "Active after revoke = true, want false")
			}
		})
	}
}
