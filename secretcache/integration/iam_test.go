package integration_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/testenv"
	"github.com/acme/secrets-platform/secretcache"
	"github.com/acme/secrets-platform/secretcache/integration/internal/gocmd"
)

// TestREADMEPolicyGrantsWhatTheCacheCalls checks the IAM statement that the
// README tells operators to attach: it allows the one call the cache can
// make (its API interface has a single method) and nothing else.
func TestREADMEPolicyGrantsWhatTheCacheCalls(t *testing.T) {
	api := reflect.TypeFor[secretcache.API]()
	require.Equal(t, 1, api.NumMethod(), "the cache's client interface")
	require.Equal(t, "GetSecretValue", api.Method(0).Name)

	stmt := readmeStatement(t)
	stmt = strings.NewReplacer("REGION", "eu-west-1", "ACCOUNT", "111111111111").Replace(stmt)
	policy := json.RawMessage(`{"Version":"2012-10-17","Statement":[` + stmt + `]}`)

	const (
		role   = "arn:aws:iam::111111111111:role/orders"
		secret = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:prod/orders/db-AbCdEf"
		other  = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:prod/billing/db-AbCdEf"
	)
	tests := []struct {
		name, action, resource, want string
	}{
		{"the cache's call", "secretsmanager:GetSecretValue", secret, "Allowed"},
		{"DescribeSecret is not needed, so not granted", "secretsmanager:DescribeSecret", secret, "ImplicitlyDenied"},
		{"another service's secret", "secretsmanager:GetSecretValue", other, "ImplicitlyDenied"},
	}
	reqs := make([]testenv.IAMRequest, len(tests))
	for i, tt := range tests {
		reqs[i] = testenv.IAMRequest{Name: tt.name, Principal: role, Action: tt.action, Resource: tt.resource, IdentityPolicies: []json.RawMessage{policy}}
	}
	got, err := testenv.NewIAMSim(t).Evaluate(t.Context(), reqs)
	require.NoError(t, err)
	require.Len(t, got, len(tests))
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Empty(t, got[i].Error, "simulator error")
			assert.Equal(t, tt.want, got[i].Result, "%s on %s", tt.action, tt.resource)
		})
	}
}

// readmeStatement returns the JSON block of the IAM section of secretcache's
// README.
func readmeStatement(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(gocmd.ModuleDir(t, "github.com/acme/secrets-platform/secretcache"), "README.md"))
	require.NoError(t, err)
	_, iam, ok := strings.Cut(string(b), "## IAM")
	require.True(t, ok, "README has an IAM section")
	_, block, ok := strings.Cut(iam, "```json\n")
	require.True(t, ok, "IAM section has a json block")
	stmt, _, ok := strings.Cut(block, "```")
	require.True(t, ok)
	require.True(t, json.Valid([]byte(stmt)), "the README's statement is valid JSON")
	return stmt
}
