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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/rotator/contract"
)

const adminARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:/dev/integrations/admin-AbCdEf"

// validSettings holds, per strategy, settings the program could write.
func validSettings() map[contract.Strategy]contract.Settings {
	return map[contract.Strategy]contract.Settings{
		contract.Random:                   {Strategy: contract.Random},
		contract.Keyring:                  {Strategy: contract.Keyring},
		contract.HTTPKey:                  {Strategy: contract.HTTPKey, KeyAPI: contract.KeyAPI{BaseURL: "https://keys.example.com", AdminSecretARN: adminARN}},
		contract.Twilio:                   {Strategy: contract.Twilio, KeyAPI: contract.KeyAPI{AdminSecretARN: adminARN}},
		contract.PostgresSingleUser:       {Strategy: contract.PostgresSingleUser, Database: contract.Logins{Host: "db.internal", Port: 5432}},
		contract.PostgresAlternatingUsers: {Strategy: contract.PostgresAlternatingUsers, Database: contract.Logins{Host: "db.internal", Port: 5432}},
	}
}

// handlerFor runs newHandler on env, as main does on the Lambda's.
func handlerFor(t *testing.T, env map[string]string) (*dispatcher, error) {
	t.Helper()
	// No AWS call happens at init: the SDK resolves credentials lazily.
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	return newHandler(context.Background(), func(k string) string { return env[k] }, &bytes.Buffer{})
}

func TestNewHandlerRefusesBadSettings(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"strategy missing", nil, `ROTATION_STRATEGY="": want one of random, keyring, http, twilio, postgres-single-user, postgres-alternating-users`},
		{"strategy unknown", map[string]string{contract.EnvStrategy: "ldap"}, `ROTATION_STRATEGY="ldap"`},
		{"another strategy's setting", map[string]string{contract.EnvStrategy: "random", contract.EnvDBGrants: "pg_read_all_data"}, "Database is not its setting"},
		{"malformed setting", map[string]string{contract.EnvStrategy: "twilio", contract.EnvAdminSecretARN: adminARN, contract.EnvGracePeriod: "soon"}, "GRACE_PERIOD"},
		{"setting out of range", map[string]string{contract.EnvStrategy: "random", contract.EnvPasswordLength: "3"}, "build strategy random: new random strategy: password length 3"},
		{"keyring bound out of range", map[string]string{contract.EnvStrategy: "keyring", contract.EnvKeyringMaxKeys: "65"}, "build strategy keyring"},
		{"insecure key API", map[string]string{contract.EnvStrategy: "http", contract.EnvAdminSecretARN: adminARN, contract.EnvKeyAPIBaseURL: "http://keys.example.com"}, "must be https"},
		{"database not pinned", map[string]string{contract.EnvStrategy: "postgres-single-user"}, "DB_HOST is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := handlerFor(t, tt.env)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

// TestEveryStrategyIsWired: every strategy of the contract has a constructor,
// and only the key-revoking ones answer the sweep event.
func TestEveryStrategyIsWired(t *testing.T) {
	assert.ElementsMatch(t, contract.Strategies(), slices.Collect(maps.Keys(strategies(contract.TestSettings{}))))
	for st, settings := range validSettings() {
		env, err := settings.Env()
		require.NoError(t, err, st)
		d, err := handlerFor(t, env)
		require.NoError(t, err, st)
		assert.Equal(t, st.RevokesKeys(), d.sweep != nil, "%s: has a sweeper = %v, want %v", st, d.sweep != nil, st.RevokesKeys())
	}
	assert.Len(t, validSettings(), len(contract.Strategies()), "a strategy has no valid settings here")
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
	resp, err := newHTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.False(t, followed.Load(), "the redirect was followed")
	assert.Equal(t, httpTimeout, newHTTPClient().Timeout, "key API calls time out")
}
