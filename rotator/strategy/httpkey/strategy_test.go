package httpkey

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/rotator/engine"
	"github.com/acme/secrets-platform/rotator/strategy/apikey"
)

// TestSteps runs Create, Set and Test as the engine would, with a failure
// injected at each call, and checks that the right step fails, that nothing is
// revoked, and that no secret reaches an error.
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
		{name: "admin secret missing", adminMissing: true, wantStep: "create", wantErr: "read admin secret"},
		{name: "admin secret malformed", adminValue: `{"token":"x"}`, wantStep: "create", wantErr: `value is not {"adminToken": "..."}`},
		{name: "current value not JSON", currentValue: "plain-text-key", wantStep: "create", wantErr: "is not a JSON object"},
		{name: "lookup by name fails", failOp: opList, failStatus: http.StatusInternalServerError, wantStep: "create", wantErr: "look up key sm-rotation-"},
		{name: "create fails", failOp: opCreate, failStatus: http.StatusServiceUnavailable, wantStep: "create", wantErr: "create key sm-rotation-"},
		{name: "activate fails", failOp: opActivate, failStatus: http.StatusInternalServerError, wantStep: "set", wantErr: "activate key key-001: POST /v1/keys/key-001/activate: status 500"},
		{name: "test call fails", failOp: opWhoami, failStatus: http.StatusBadGateway, wantStep: "test", wantErr: "test key key-001: GET /v1/whoami: status 502"},
		{name: "key never activated", skipSet: true, wantStep: "test", wantErr: "status 401"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, sm, fmt.Sprintf("steps-%02d", i), tt.adminValue)
			if tt.adminMissing {
				f.adminARN += "-gone"
			}
			if tt.failOp != "" {
				f.p.failOn(tt.failOp, tt.failStatus)
			}
			if tt.currentValue != "" {
				f.current.Value = []byte(tt.currentValue)
			}
			s := f.strategy(t, time.Now)
			ctx := context.Background()
			r := engine.Rotation{SecretARN: f.secretARN, Token: token(tt.name[:5]), Current: f.current}

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
				k, ok := f.p.key(got["keyId"])
				require.True(t, ok, "new key %s not at the provider", got["keyId"])
				assert.True(t, k.active, "new key %s inactive after Set, want active", k.id)
				assert.True(t, got["apiKey"] == k.secret, "stored apiKey is not the key's secret (not shown)")
				assert.Equal(t, "https://api.example.test", got["endpoint"], "endpoint = %q, want it carried over", got["endpoint"])
			} else {
				require.Error(t, err, "want step %s to fail", tt.wantStep)
				assert.Equal(t, tt.wantStep, step, "failed in %s, want %s: %v", step, tt.wantStep, err)
				assert.Contains(t, err.Error(), tt.wantErr, "error %q, want it to contain %q", err, tt.wantErr)
			}
			f.assertNoSecret(t, err)
			assert.Empty(t, f.p.deletedKeys(), "keys deleted %v, want none before the grace", f.p.deletedKeys())
			old, ok := f.p.key(f.oldKey.id)
			assert.True(t, ok && old.active, "old key %s is no longer active, want it kept through the grace", f.oldKey.id)
		})
	}
}

// TestCreateAfterCrash replays a createSecret whose first attempt minted a key
// and crashed before the value was stored: the lost key must not stay live.
func TestCreateAfterCrash(t *testing.T) {
	sm := rotatortest.New(t).SM
	f := newFixture(t, sm, "crash", "")
	s := f.strategy(t, time.Now)
	r := engine.Rotation{SecretARN: f.secretARN, Token: token("crash"), Current: f.current}

	first, err := s.Create(context.Background(), r)
	require.NoError(t, err)
	second, err := s.Create(context.Background(), r)
	require.NoError(t, err)

	var a, b struct{ KeyID string }
	require.NoError(t, json.Unmarshal(first, &a))
	require.NoError(t, json.Unmarshal(second, &b))
	named := f.p.keysNamed(apikey.KeyName(f.secretARN, r.Token))
	require.Len(t, named, 1, "keys named for the token: %d, want 1", len(named))
	assert.Equal(t, b.KeyID, named[0].id, "surviving key %s, want the stored one %s", named[0].id, b.KeyID)
	assert.Equal(t, []string{a.KeyID}, f.p.deletedKeys(), "deleted %v, want only the lost key %s", f.p.deletedKeys(), a.KeyID)
}

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
		{name: "provider refuses", failOp: opDelete, wantErr: "revoke key key-operator: DELETE /v1/keys/key-operator: status 500"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, sm, fmt.Sprintf("revoke-%02d", i), "")
			if tt.failOp != "" {
				f.p.failOn(tt.failOp, http.StatusInternalServerError)
			}
			s := f.strategy(t, time.Now)
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
				f.assertNoSecret(t, err)
			} else {
				require.NoError(t, err)
			}
			_, stillThere := f.p.key(f.oldKey.id)
			assert.Equal(t, !tt.wantDeleted, stillThere, "key present after revoke = %v, want %v", stillThere, !tt.wantDeleted)
			if tt.wantDeleted {
				active, err := s.Active(ctx, v)
				require.NoError(t, err)
				assert.False(t, active, "Active after revoke = true, want false")
			}
		})
	}
}

func TestFromEnv(t *testing.T) {
	sm := rotatortest.New(t).SM
	valid := map[string]string{
		EnvBaseURL:        "https://keys.example.test/adapter",
		EnvAdminSecretARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:admin-AbCdEf",
	}
	tests := []struct {
		name    string
		set     map[string]string // overrides of valid; "" unsets
		wantErr string
	}{
		{name: "valid"},
		{name: "loopback http", set: map[string]string{EnvBaseURL: "http://127.0.0.1:8080"}},
		{name: "no base URL", set: map[string]string{EnvBaseURL: ""}, wantErr: "HTTPKEY_BASE_URL and HTTPKEY_ADMIN_SECRET_ARN are required"},
		{name: "no admin secret", set: map[string]string{EnvAdminSecretARN: ""}, wantErr: "are required"},
		{name: "plain http to a remote host", set: map[string]string{EnvBaseURL: "http://keys.example.test"}, wantErr: "must be https"},
		{name: "bad grace", set: map[string]string{"GRACE_PERIOD": "soon"}, wantErr: "parse GRACE_PERIOD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range valid {
				env[k] = v
			}
			for k, v := range tt.set {
				env[k] = v
			}
			d := engine.Deps{Getenv: func(k string) string { return env[k] }, SecretsManager: sm, HTTP: http.DefaultClient, Now: time.Now}
			s, err := FromEnv(context.Background(), d)
			_, serr := SweeperFromEnv(context.Background(), d)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr, "error %q, want it to contain %q", err, tt.wantErr)
				assert.Error(t, serr, "SweeperFromEnv succeeded where FromEnv failed")
				return
			}
			require.NoError(t, err)
			require.NoError(t, serr)
			assert.Equal(t, Name, s.Name(), "Name() = %q, want %q", s.Name(), Name)
		})
	}
}
