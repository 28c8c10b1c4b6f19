package stack_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/stack"
)

// TestRotatorIsPointedAtAnEndpointWithoutPrivateDNS: the rotator's
// environment names the endpoint exactly when the default host name would
// not reach it.
func TestRotatorIsPointedAtAnEndpointWithoutPrivateDNS(t *testing.T) {
	prod, err := mockrun.LoadStack("..", "prod")
	require.NoError(t, err)
	staging, err := mockrun.LoadStack("..", "staging")
	require.NoError(t, err)
	for name, st := range map[string]mockrun.Stack{"prod": prod, "staging": staging} {
		t.Run(name, func(t *testing.T) {
			rec, err := mockrun.Run(st, stack.Compose)
			require.NoError(t, err)
			url := outputString(t, rec, "secretsManagerEndpointUrl")
			_, fn := rotServing(t, rec, "/"+name+"/app/database")
			env := map[string]string{}
			if v, ok := fn.Input("environment.variables"); ok {
				b, err := json.Marshal(v.Mappable())
				require.NoError(t, err)
				require.NoError(t, json.Unmarshal(b, &env))
			}
			got, set := env["AWS_ENDPOINT_URL_SECRETS_MANAGER"]
			if url == "" {
				assert.False(t, set, "got AWS_ENDPOINT_URL_SECRETS_MANAGER=%s, want it unset where private DNS serves", got)
				return
			}
			assert.Equal(t, url, got, "the database rotator's endpoint, got/want")
		})
	}
}
