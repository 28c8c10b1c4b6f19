package rotation_test

import (
	"context"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/rotation"
	"github.com/acme/secrets-platform/rotator/contract"
)

// TestEnvironmentPointsAtAnEndpointWithoutPrivateDNS: the endpoint URL goes
// into the environment through the contract, for any strategy, and only
// when one is given.
func TestEnvironmentPointsAtAnEndpointWithoutPrivateDNS(t *testing.T) {
	const url = "https://vpce-0a1b2c3d4e5f60710-ab12cd34.secretsmanager.eu-west-1.vpce.amazonaws.com"
	db := config.Secret{Name: "/p/app/db", Rotation: config.Rotation{Strategy: config.PostgresAlternatingUsers}}
	tests := []struct {
		name     string
		endpoint pulumi.StringInput
		want     string
	}{
		{"private DNS: none", nil, ""},
		{"no private DNS", pulumi.String(url), url},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := rotation.Environment(rotation.EnvArgs{Secret: db, DatabaseGrants: []string{"pg_read_all_data"},
				DatabaseHost: pulumi.String("db.abc.eu-west-1.rds.amazonaws.com"), DatabasePort: pulumi.Int(5432),
				SecretsManagerEndpoint: tt.endpoint})
			require.NoError(t, err)
			res, err := internals.UnsafeAwaitOutput(context.Background(), out)
			require.NoError(t, err)
			env := res.Value.(map[string]string)
			got, set := env[contract.EnvSecretsManagerEndpoint]
			assert.Equal(t, tt.want != "", set, "endpoint variable set, got/want")
			assert.Equal(t, tt.want, got)
			back, err := contract.FromEnv(func(k string) string { return env[k] })
			require.NoError(t, err, "the runtime accepts what the program writes")
			assert.Equal(t, tt.want, back.SecretsManagerEndpoint)
		})
	}
}
