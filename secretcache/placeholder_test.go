package secretcache

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// placeholderValue is a placeholder as the platform writes a database's:
// its marker beside the connection fields, no password.
const placeholderValue = `{"engine":"postgres","host":"db.internal","port":5432,"username":"app","secretsPlatformPlaceholder":"no value yet: the first rotation, or an operator's first put, writes it"}`

func TestAPlaceholderIsNoValue(t *testing.T) {
	api := newStub()
	api.set("/prod/app/x", StageCurrent, placeholderValue)
	c, clk := newTestCache(t, api, 0)

	_, err := c.GetString(t.Context(), "/prod/app/x")
	require.ErrorIs(t, err, ErrNoValueYet)
	assert.Contains(t, err.Error(), "secret /prod/app/x has no value yet")
	_, err = GetJSON[map[string]any](t.Context(), c, "/prod/app/x")
	require.ErrorIs(t, err, ErrNoValueYet, "GetJSON must not decode a placeholder either")
	_, err = c.GetBytes(t.Context(), "/prod/app/x")
	require.ErrorIs(t, err, ErrNoValueYet)

	api.set("/prod/app/x", StageCurrent, `{"username":"app","password":"first"}`)
	clk.Advance(DefaultRetryInterval)
	got, err := c.GetString(t.Context(), "/prod/app/x")
	require.NoError(t, err, "after the first rotation")
	assert.True(t, got == `{"username":"app","password":"first"}`, "the first value is served once it exists (value not shown)")
}

func TestOnlyATopLevelMarkerIsAPlaceholder(t *testing.T) {
	for _, v := range []string{
		`{"note":"secretsPlatformPlaceholder"}`,
		`{"nested":{"secretsPlatformPlaceholder":"x"}}`,
		`secretsPlatformPlaceholder`,
	} {
		api := newStub()
		api.set("s", StageCurrent, v)
		c, _ := newTestCache(t, api, 0)
		got, err := c.GetString(t.Context(), "s")
		require.NoError(t, err, "value %q", v)
		assert.Equal(t, v, got)
	}
}

// TestAPlaceholderNeverReplacesAValue: a placeholder that comes back after
// a value (AWSCURRENT moved back by hand) is a failed refresh: the last
// value is served within MaxStale, and the hook hears why.
func TestAPlaceholderNeverReplacesAValue(t *testing.T) {
	api := newStub()
	api.set("s", StageCurrent, "real-value")
	hooked := make(chan error, 4)
	c, clk := newTestCache(t, api, 0, func(o *Options) {
		o.OnRefreshError = func(_ string, _ Version, err error) { hooked <- err }
	})
	_, err := c.GetString(t.Context(), "s")
	require.NoError(t, err)
	api.set("s", StageCurrent, placeholderValue)
	clk.Advance(DefaultTTL)
	got, err := c.GetString(t.Context(), "s")
	require.NoError(t, err)
	assert.Equal(t, "real-value", got, "the placeholder replaced a served value")
	select {
	case err := <-hooked:
		assert.True(t, errors.Is(err, ErrNoValueYet), "hook got %v", err)
		assert.False(t, strings.Contains(err.Error(), "db.internal"), "the error quotes the placeholder")
	case <-time.After(5 * time.Second):
		t.Fatal("no refresh error reached the hook")
	}
}

func TestExactExpiryIsOnInsideLambda(t *testing.T) {
	tests := []struct {
		name, function string
		set            func(*Options)
		want           bool
	}{
		{name: "outside Lambda", want: false},
		{name: "inside Lambda", function: "orders-api", want: true},
		{name: "inside Lambda, turned off", function: "orders-api", set: func(o *Options) { o.ExactExpiry = false }, want: false},
		{name: "outside Lambda, turned on", set: func(o *Options) { o.ExactExpiry = true }, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_LAMBDA_FUNCTION_NAME", tt.function)
			var fns []func(*Options)
			if tt.set != nil {
				fns = append(fns, tt.set)
			}
			c, err := New(newStub(), fns...)
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.Options().ExactExpiry)
		})
	}
}
