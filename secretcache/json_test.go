package secretcache

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type dbCreds struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Port     int    `json:"port"`
}

func TestGetJSON(t *testing.T) {
	api := newStub()
	api.set("db", StageCurrent, `{"username":"app","password":"hunter2","port":5432}`)
	api.set("db", StagePending, `{"username":"app","password":"next","port":5432}`)
	c, _ := newTestCache(t, api, 0)

	got, err := GetJSON[dbCreds](t.Context(), c, "db")
	require.NoError(t, err)
	assert.Equal(t, dbCreds{"app", "hunter2", 5432}, got)

	pend, err := GetJSONVersion[dbCreds](t.Context(), c, "db", Version{Stage: StagePending})
	require.NoError(t, err)
	assert.Equal(t, "next", pend.Password, "version stage honoured")

	// The decoding is cached with the value: a map decoded once is the
	// same map on the next hit.
	m1, err := GetJSON[map[string]any](t.Context(), c, "db")
	require.NoError(t, err)
	m2, err := GetJSON[map[string]any](t.Context(), c, "db")
	require.NoError(t, err)
	m1["marker"] = true
	assert.Equal(t, true, m2["marker"], "second hit must reuse the first decoding")
	assert.Equal(t, int64(2), api.calls.Load(), "calls")
}

func TestGetJSONErrorsDoNotQuoteTheSecret(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		leak string // what encoding/json's own message would quote
	}{
		{"syntax error after the secret", `{"password":"hunter2"`, "hunter2"},
		{"syntax error inside the secret", `{"password":Zq9}`, "'Z'"},
		{"number into a string field", `{"password":88224466}`, "88224466"},
		{"string into a number field", `{"port":"hunter2"}`, "hunter2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newStub()
			api.set("db", StageCurrent, tt.raw)
			c, _ := newTestCache(t, api, 0)
			_, err := GetJSON[dbCreds](t.Context(), c, "db")
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalidJSON)
			assert.False(t, strings.Contains(err.Error(), tt.leak), "error quotes the secret")
		})
	}
}

// TestGetJSONOfABinarySecretFollowsRotation: a secret stored as SecretBinary
// has no string to compare, so a refresh must not carry the old decoding
// over to the new bytes.
func TestGetJSONOfABinarySecretFollowsRotation(t *testing.T) {
	api := newStub()
	api.mu.Lock()
	api.binary["db/"+StageCurrent] = []byte(`{"username":"app","password":"old","port":5432}`)
	api.mu.Unlock()
	c, clk := newTestCache(t, api, 0)

	got, err := GetJSON[dbCreds](t.Context(), c, "db")
	require.NoError(t, err)
	assert.True(t, got.Password == "old", "first read decodes the first value")

	api.mu.Lock()
	api.binary["db/"+StageCurrent] = []byte(`{"username":"app","password":"new","port":5432}`)
	api.mu.Unlock()
	clk.Advance(4*time.Minute + 31*time.Second) // the refresh window opens
	_, err = GetJSON[dbCreds](t.Context(), c, "db")
	require.NoError(t, err)
	idle(c, "db", Version{})

	got, err = GetJSON[dbCreds](t.Context(), c, "db")
	require.NoError(t, err)
	assert.True(t, got.Password == "new", "after the refresh the new bytes are decoded, not the old decoding reused")
	assert.Equal(t, int64(2), api.calls.Load(), "calls")
}
