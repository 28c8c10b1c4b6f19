package main

import (
	"bytes"
	"context"
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
		{"strategy missing", nil, "ROTATION_STRATEGY is not set; want one of keyring, random"},
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

func TestEveryStrategyIsWired(t *testing.T) {
	for name, c := range strategies() {
		assert.NotNil(t, c, "strategy %q has no constructor", name)
	}
	assert.Contains(t, strategies(), "random")
	assert.Contains(t, strategies(), "keyring")
}
