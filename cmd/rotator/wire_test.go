package main

import (
	"bytes"
	"context"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewHandler(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"random", map[string]string{envStrategy: "random"}, ""},
		{"keyring", map[string]string{envStrategy: "keyring", envLogLevel: "debug", envHTTPTimeout: "3s"}, ""},
		{"strategy missing", nil, "ROTATION_STRATEGY is not set; want one of http, keyring, postgres-alternating-users, postgres-single-user, random, twilio"},
		{"strategy unknown", map[string]string{envStrategy: "ldap"}, `"ldap" is unknown`},
		{"bad log level", map[string]string{envStrategy: "random", envLogLevel: "loud"}, "ROTATION_LOG_LEVEL"},
		{"bad timeout", map[string]string{envStrategy: "random", envHTTPTimeout: "ten"}, "ROTATION_HTTP_TIMEOUT"},
		{"zero timeout", map[string]string{envStrategy: "random", envHTTPTimeout: "0s"}, "not a positive duration"},
		{"bad strategy setting", map[string]string{envStrategy: "random", "RANDOM_LENGTH": "3"}, "build strategy random"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// No AWS call happens at init: the SDK resolves credentials lazily.
			t.Setenv("AWS_REGION", "us-east-1")
			t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
			var out bytes.Buffer
			h, err := newHandler(context.Background(), func(k string) string { return tt.env[k] }, &out)
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.NotNil(t, h)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

// TestEveryStrategyIsWired: every rotation.strategy the Pulumi program can set
// as ROTATION_STRATEGY for our own rotator (config/secret.go, all but manual
// and the hosted ones) has a constructor, and the key-revoking ones a sweeper.
func TestEveryStrategyIsWired(t *testing.T) {
	want := []string{"random", "keyring", "http", "twilio", "postgres-single-user", "postgres-alternating-users"}
	assert.ElementsMatch(t, want, slices.Collect(maps.Keys(strategies())))
}

func TestSweepingStrategiesGetASweeper(t *testing.T) {
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	admin := "arn:aws:secretsmanager:us-east-1:111122223333:secret:/dev/integrations/admin-AbCdEf"
	for name, env := range map[string]map[string]string{
		"twilio": {envStrategy: "twilio", "TWILIO_ADMIN_SECRET_ARN": admin},
		"http":   {envStrategy: "http", "HTTPKEY_BASE_URL": "https://keys.example.com", "HTTPKEY_ADMIN_SECRET_ARN": admin},
	} {
		d, err := newHandler(context.Background(), func(k string) string { return env[k] }, &bytes.Buffer{})
		require.NoError(t, err, name)
		assert.NotNil(t, d.sweep, "%s functions also run the revoke-expired sweep", name)
	}
	for _, name := range []string{"random", "keyring"} {
		env := map[string]string{envStrategy: name}
		d, err := newHandler(context.Background(), func(k string) string { return env[k] }, &bytes.Buffer{})
		require.NoError(t, err, name)
		assert.Nil(t, d.sweep, "%s revokes nothing", name)
	}

	env := map[string]string{envStrategy: "twilio", "TWILIO_ADMIN_SECRET_ARN": admin, "GRACE_PERIOD": "soon"}
	_, err := newHandler(context.Background(), func(k string) string { return env[k] }, &bytes.Buffer{})
	assert.Error(t, err, "a bad GRACE_PERIOD fails at start")
}

// TestHTTPClientFollowsNoRedirect: a redirect from the key API (even to the
// same host over plain http) must come back as the response, not be followed
// with the admin credential attached.
func TestHTTPClientFollowsNoRedirect(t *testing.T) {
	var followed atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			followed.Store(true)
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	}))
	defer srv.Close()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/keys", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer test-only-token")
	resp, err := newHTTPClient(time.Second).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.False(t, followed.Load(), "the redirect was followed")
}
