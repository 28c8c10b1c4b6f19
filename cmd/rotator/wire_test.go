package main

import (
	"bytes"
	"context"
	"maps"
	"slices"
	"testing"

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
	assert.ElementsMatch(t, []string{"http", "twilio"}, slices.Collect(maps.Keys(sweepers())))
}

func TestSweepingStrategiesGetASweeper(t *testing.T) {
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	env := map[string]string{envStrategy: "twilio", "TWILIO_ADMIN_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:111122223333:secret:/dev/integrations/twilio-admin-AbCdEf"}
	d, err := newHandler(context.Background(), func(k string) string { return env[k] }, &bytes.Buffer{})
	require.NoError(t, err)
	assert.NotNil(t, d.sweep, "twilio functions also run the revoke-expired sweep")

	env = map[string]string{envStrategy: "random"}
	d, err = newHandler(context.Background(), func(k string) string { return env[k] }, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Nil(t, d.sweep)
}
