package twilio

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
// injected at each Twilio call and at the admin secret read, and checks that the
// right step fails, that no key is deleted, and that no secret reaches an error.
func TestSteps(t *testing.T) {
	sm := rotatortest.New(t).SM
	tests := []struct {
		name         string
		opts         fixtureOpts
		adminMissing bool
		otherAccount bool
		failOp       string
		failStatus   int
		wantStep     string // the step that fails; "" for none
		wantErr      string
	}{
		{name: "rotation succeeds"},
		{name: "admin is a main key", opts: fixtureOpts{adminValue: "main-key"}},
		{name: "first value names the account", opts: fixtureOpts{currentValue: `{"accountSid":"{account}"}`}},
		{name: "first value empty, admin names the account", opts: fixtureOpts{currentValue: `{}`}},
		{name: "first value not JSON", opts: fixtureOpts{currentValue: `SKdeadbeef`}, wantStep: "create",
			wantErr: `before the first rotation store {"accountSid":"AC..."}`},
		{name: "admin secret missing", adminMissing: true, wantStep: "create", wantErr: "read admin secret"},
		{name: "admin secret malformed", opts: fixtureOpts{adminValue: `{"accountSid":"AC1","password":"x"}`}, wantStep: "create",
			wantErr: `value is not {"accountSid":"AC...","authToken":"..."}`},
		{name: "list keys fails", failOp: opList, failStatus: http.StatusInternalServerError, wantStep: "create",
			wantErr: "look up key sm-rotation-"},
		{name: "create key fails", failOp: opCreate, failStatus: http.StatusTooManyRequests, wantStep: "create",
			wantErr: "status 429 Too Many Requests (Twilio error 20500)"},
		{name: "fetch key fails", failOp: opFetch, failStatus: http.StatusServiceUnavailable, wantStep: "set",
			wantErr: "fetch key SK"},
		{name: "test reaches another account", otherAccount: true, wantStep: "test", wantErr: "reached account"},
		{name: "test call fails", failOp: opBalance, failStatus: http.StatusUnauthorized, wantStep: "test",
			wantErr: "/Balance.json: status 401"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, sm, fmt.Sprintf("steps-%02d", i), tt.opts)
			if tt.adminMissing {
				f.adminARN += "-gone"
			}
			if tt.failOp != "" {
				f.tw.failOn(tt.failOp, tt.failStatus)
			}
			if tt.otherAccount {
				f.tw.mu.Lock()
				f.tw.balanceAccount = newSID("AC")
				f.tw.mu.Unlock()
			}
			s := f.strategy(t, time.Now)
			ctx := context.Background()
			r := engine.Rotation{SecretARN: f.secretARN, Token: token(fmt.Sprintf("steps-%02d", i)), Current: f.current}

			step := "create"
			v, err := s.Create(ctx, r)
			if err == nil {
				r.Pending = engine.Version{ID: r.Token, Value: v}
				step = "set"
				if err = s.Set(ctx, r); err == nil {
					step = "test"
					err = s.Test(ctx, r)
				}
			}

			if tt.wantStep == "" {
				require.NoError(t, err, "step %s", step)
				var got map[string]string
				require.NoError(t, json.Unmarshal(v, &got))
				assert.Equal(t, f.tw.account, got["accountSid"], "accountSid = %q, want %q", got["accountSid"], f.tw.account)
				named := f.tw.named(apikey.KeyName(f.secretARN, r.Token))
				require.Len(t, named, 1, "keys named for the token: %d, want 1", len(named))
				assert.Equal(t, named[0].sid, got["apiKeySid"], "apiKeySid = %q, want the minted key %q", got["apiKeySid"], named[0].sid)
				assert.True(t, got["apiKeySecret"] == named[0].secret, "stored apiKeySecret is not the minted key's secret (not shown)")
			} else {
				require.Error(t, err, "want step %s to fail", tt.wantStep)
				assert.Equal(t, tt.wantStep, step, "failed in %s, want %s: %v", step, tt.wantStep, err)
				assert.Contains(t, err.Error(), tt.wantErr, "error %q, want it to contain %q", err, tt.wantErr)
			}
			f.assertNoSecret(t, err)
			assert.Empty(t, f.tw.deletedKeys(), "keys deleted %v, want none before the grace", f.tw.deletedKeys())
			assert.True(t, f.tw.has(f.oldKey.sid), "old key %s deleted, want it kept through the grace", f.oldKey.sid)
		})
	}
}

// TestCreateAfterCrash replays a createSecret whose first attempt minted a key
// and crashed before the value was stored: that key's secret is lost, so it
// must be found by its FriendlyName (across pages) and deleted.
func TestCreateAfterCrash(t *testing.T) {
	sm := rotatortest.New(t).SM
	f := newFixture(t, sm, "crash", fixtureOpts{})
	s := f.strategy(t, time.Now)
	r := engine.Rotation{SecretARN: f.secretARN, Token: token("crash"), Current: f.current}

	first, err := s.Create(context.Background(), r)
	require.NoError(t, err)
	listsBefore := f.tw.lists()
	second, err := s.Create(context.Background(), r)
	require.NoError(t, err)
	// The lost key is the newest, on the last page of 3: finding it needs the
	// walk through next_page_uri.
	assert.Equal(t, 3, f.tw.lists()-listsBefore, "list calls in the retry = %d, want 3 pages", f.tw.lists()-listsBefore)

	var a, b struct {
		APIKeySID string `json:"apiKeySid"`
	}
	require.NoError(t, json.Unmarshal(first, &a))
	require.NoError(t, json.Unmarshal(second, &b))
	named := f.tw.named(apikey.KeyName(f.secretARN, r.Token))
	require.Len(t, named, 1, "keys named for the token: %d, want 1", len(named))
	assert.Equal(t, b.APIKeySID, named[0].sid, "surviving key %s, want the stored one %s", named[0].sid, b.APIKeySID)
	assert.Equal(t, []string{a.APIKeySID}, f.tw.deletedKeys(), "deleted %v, want only the lost key %s", f.tw.deletedKeys(), a.APIKeySID)
	assert.True(t, f.tw.has(f.oldKey.sid), "current key %s deleted, want it kept", f.oldKey.sid)
}

func TestRevokeAndActive(t *testing.T) {
	sm := rotatortest.New(t).SM
	tests := []struct {
		name        string
		placeholder bool
		failOp      string
		twice       bool
		wantErr     string
		wantDeleted bool
	}{
		{name: "deletes the key", wantDeleted: true},
		{name: "second delete is a success", twice: true, wantDeleted: true},
		{name: "first value holds no key", placeholder: true},
		{name: "twilio refuses", failOp: opDelete, wantErr: "delete key SK"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, sm, fmt.Sprintf("revoke-%02d", i), fixtureOpts{})
			if tt.failOp != "" {
				f.tw.failOn(tt.failOp, http.StatusInternalServerError)
			}
			s := f.strategy(t, time.Now)
			v := f.current
			if tt.placeholder {
				v.Value = []byte(fmt.Sprintf(`{"accountSid":"%s"}`, f.tw.account))
			}
			ctx := context.Background()
			active, err := s.Active(ctx, v)
			require.NoError(t, err)
			assert.Equal(t, !tt.placeholder, active, "Active before delete = %v", active)

			err = s.Revoke(ctx, v)
			if tt.twice {
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
			assert.Equal(t, !tt.wantDeleted, f.tw.has(f.oldKey.sid), "key present after revoke = %v, want %v", f.tw.has(f.oldKey.sid), !tt.wantDeleted)
			if tt.wantDeleted {
				active, err := s.Active(ctx, v)
				require.NoError(t, err)
				assert.False(t, active, "Active after delete = true, want false")
			}
		})
	}
}

func TestFromEnv(t *testing.T) {
	sm := rotatortest.New(t).SM
	const adminARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:twilio-admin-AbCdEf"
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{name: "defaults to api.twilio.com", env: map[string]string{EnvAdminSecretARN: adminARN}},
		{name: "loopback base URL", env: map[string]string{EnvAdminSecretARN: adminARN, EnvBaseURL: "http://127.0.0.1:9"}},
		{name: "no admin secret", env: map[string]string{}, wantErr: "TWILIO_ADMIN_SECRET_ARN is required"},
		{name: "plain http to a remote host", env: map[string]string{EnvAdminSecretARN: adminARN, EnvBaseURL: "http://api.twilio.com"}, wantErr: "must be https"},
		{name: "bad grace", env: map[string]string{EnvAdminSecretARN: adminARN, "GRACE_PERIOD": "1 hour"}, wantErr: "parse GRACE_PERIOD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := engine.Deps{Getenv: func(k string) string { return tt.env[k] }, SecretsManager: sm, HTTP: http.DefaultClient, Now: time.Now}
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
