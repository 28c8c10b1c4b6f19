package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/rotator/engine"
)

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    Config
		wantErr string
	}{
		{name: "nothing set", env: map[string]string{}, want: Config{}},
		{
			name: "everything set",
			env: map[string]string{
				"DB_SSL_ROOT_CERT": " /opt/rds-global-bundle.pem ", "DB_GRANTS": "pg_read_all_data, pg_write_all_data,,",
				"DB_CONNECT_TIMEOUT": "3s", "PASSWORD_LENGTH": "40", "EXCLUDE_CHARACTERS": "`~",
			},
			want: Config{
				RootCertFile: "/opt/rds-global-bundle.pem", Grants: []string{"pg_read_all_data", "pg_write_all_data"},
				ConnectTimeout: 3 * time.Second, PasswordLength: 40, ExcludeCharacters: "`~",
			},
		},
		{name: "bad timeout", env: map[string]string{"DB_CONNECT_TIMEOUT": "3"}, wantErr: "DB_CONNECT_TIMEOUT"},
		{name: "bad length", env: map[string]string{"PASSWORD_LENGTH": "many"}, wantErr: "PASSWORD_LENGTH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ConfigFromEnv(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestFromEnvConstructors(t *testing.T) {
	tests := []struct {
		name     string
		ctor     engine.Constructor
		env      map[string]string
		wantName string
		wantErr  string
	}{
		{name: "single user", ctor: SingleUserFromEnv, env: map[string]string{}, wantName: "postgres-single-user"},
		{name: "alternating users", ctor: AlternatingUsersFromEnv, env: map[string]string{"DB_GRANTS": "pg_read_all_data"}, wantName: "postgres-alternating-users"},
		{name: "short password refused", ctor: SingleUserFromEnv, env: map[string]string{"PASSWORD_LENGTH": "12"}, wantErr: "outside 16..128"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := tt.ctor(context.Background(), engine.Deps{Getenv: func(k string) string { return tt.env[k] }, Now: time.Now})
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantName, s.Name())
		})
	}
}

// TestMasterWithoutClient proves a missing Secrets Manager client is an error,
// not a nil-pointer panic, when the master is needed.
func TestMasterWithoutClient(t *testing.T) {
	s, err := AlternatingUsersFromEnv(context.Background(), engine.Deps{Getenv: func(string) string { return "" }})
	require.NoError(t, err)
	err = s.Set(context.Background(), engine.Rotation{Pending: engine.Version{Value: []byte(
		`{"engine":"postgres","host":"127.0.0.1","username":"u_clone","password":"p","masterarn":"arn:m"}`)}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no Secrets Manager client")
}
