package twilio

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
	"github.com/acme/secrets-platform/rotator/strategy/apikey"
)

// TestSteps runs Create, Set and Test as the engine would, with Twilio's shapes
// varied or broken or a call failing, and checks which step fails, in which
// words, that no key is deleted and that no secret reaches an error. What every
// strategy must survive is the conformance suite (cmd/rotator).
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
		{name: "list keys fails", failOp: "list", failStatus: http.StatusInternalServerError, wantStep: "create",
			wantErr: "look up key sm-rotation-"},
		{name: "create key fails", failOp: "create", failStatus: http.StatusTooManyRequests, wantStep: "create",
			wantErr: "status 429 Too Many Requests (Twilio error 20500)"},
		{name: "fetch key fails", failOp: "fetch", failStatus: http.StatusServiceUnavailable, wantStep: "set",
			wantErr: "activate key SK"},
		{name: "test reaches another account", otherAccount: true, wantStep: "test", wantErr: "reached account"},
		{name: "test call fails", failOp: "balance", failStatus: http.StatusUnauthorized, wantStep: "test",
			wantErr: "/Balance.json: status 401"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, sm, fmt.Sprintf("steps-%02d", i), tt.opts)
			if tt.adminMissing {
				f.adminARN += "-gone"
			}
			if tt.failOp != "" {
				f.tw.FailOn(tt.failOp, tt.failStatus)
			}
			if tt.otherAccount {
				f.tw.ReportBalanceOf(rotatortest.TwilioSID("AC"))
			}
			s := f.strategy(t)
			ctx := context.Background()
			r := engine.Rotation{SecretARN: f.secretARN, Token: rotatortest.TokenFor(fmt.Sprintf("steps-%02d", i)), Current: f.current}

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
				assert.Equal(t, f.tw.Account, got["accountSid"], "accountSid = %q, want %q", got["accountSid"], f.tw.Account)
				named := f.tw.Named(apikey.KeyName(f.secretARN, r.Token))
				require.Len(t, named, 1, "keys named for the token: %d, want 1", len(named))
				assert.Equal(t, named[0].SID, got["apiKeySid"], "apiKeySid = %q, want the minted key %q", got["apiKeySid"], named[0].SID)
				assert.True(t, got["apiKeySecret"] == named[0].Secret, "stored apiKeySecret is not the minted key's secret (not shown)")
			} else {
				require.Error(t, err, "want step %s to fail", tt.wantStep)
				assert.Equal(t, tt.wantStep, step, "failed in %s, want %s: %v", step, tt.wantStep, err)
				assert.Contains(t, err.Error(), tt.wantErr, "error %q, want it to contain %q", err, tt.wantErr)
			}
			f.tw.AssertNotIn(t, err)
			assert.Empty(t, f.tw.Deleted(), "keys deleted %v, want none before the grace", f.tw.Deleted())
			assert.True(t, f.tw.Has(f.oldKey.SID), "old key %s deleted, want it kept through the grace", f.oldKey.SID)
		})
	}
}

// TestLookUpWalksEveryPage replays a createSecret whose first attempt minted a
// key and crashed before the value was stored: the lost key is the newest, on
// the last of three pages, so finding it by FriendlyName needs the walk
// through next_page_uri.
func TestLookUpWalksEveryPage(t *testing.T) {
	sm := rotatortest.New(t).SM
	f := newFixture(t, sm, "crash", fixtureOpts{})
	s := f.strategy(t)
	r := engine.Rotation{SecretARN: f.secretARN, Token: rotatortest.TokenFor("crash"), Current: f.current}

	first, err := s.Create(context.Background(), r)
	require.NoError(t, err)
	listsBefore := f.tw.Lists()
	_, err = s.Create(context.Background(), r)
	require.NoError(t, err)
	assert.Equal(t, 3, f.tw.Lists()-listsBefore, "list calls in the retry = %d, want 3 pages", f.tw.Lists()-listsBefore)
	var lost struct {
		APIKeySID string `json:"apiKeySid"`
	}
	require.NoError(t, json.Unmarshal(first, &lost))
	assert.Equal(t, []string{lost.APIKeySID}, f.tw.Deleted(), "deleted %v, want only the lost key %s", f.tw.Deleted(), lost.APIKeySID)
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
		{name: "twilio refuses", failOp: "delete", wantErr: "revoke key SK"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, sm, fmt.Sprintf("revoke-%02d", i), fixtureOpts{})
			if tt.failOp != "" {
				f.tw.FailOn(tt.failOp, http.StatusInternalServerError)
			}
			s := f.strategy(t)
			v := f.current
			if tt.placeholder {
				v.Value = []byte(fmt.Sprintf(`{"accountSid":"%s"}`, f.tw.Account))
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
				f.tw.AssertNotIn(t, err)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, !tt.wantDeleted, f.tw.Has(f.oldKey.SID), "key present after revoke = %v, want %v", f.tw.Has(f.oldKey.SID), !tt.wantDeleted)
			if tt.wantDeleted {
				active, err := s.Active(ctx, v)
				require.NoError(t, err)
				assert.False(t, active, "Active after delete = true, want false")
			}
		})
	}
}
