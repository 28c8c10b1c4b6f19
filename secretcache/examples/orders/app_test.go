package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/testenv"
	"github.com/acme/secrets-platform/secretcache"
	"github.com/acme/secrets-platform/secretcache/internal/awstest"
)

func TestLoadConfig(t *testing.T) {
	full := map[string]string{
		"ORDERS_DB_SECRET_ID": "db", "ORDERS_PARTNER_KEY_ID": "key", "RDS_CA_FILE": "/ca.pem",
	}
	tests := []struct {
		name    string
		env     map[string]string
		wantErr bool
		want    string // ListenAddr
	}{
		{"defaults", full, false, "127.0.0.1:8080"},
		{"missing secret id", map[string]string{"RDS_CA_FILE": "/ca.pem"}, true, ""},
		{"bad ttl", merge(full, map[string]string{"SECRET_TTL": "soon"}), true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := loadConfig(func(k string) string { return tt.env[k] })
			if tt.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.ListenAddr)
		})
	}
}

func merge(a, b map[string]string) map[string]string {
	out := maps.Clone(a)
	maps.Copy(out, b)
	return out
}

// TestServiceAgainstMotoAndPostgres runs the example's handlers against the
// real services.
func TestServiceAgainstMotoAndPostgres(t *testing.T) {
	ctx := t.Context()
	pg := testenv.NewPostgres(t)
	m := testenv.NewMoto(t)
	sm := awstest.Client(t, m)

	admin, err := pgx.Connect(ctx, pg.AdminDSN())
	require.NoError(t, err)
	defer admin.Close(ctx)
	var stmt string
	require.NoError(t, admin.QueryRow(ctx, "SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', $1::text, $2::text)", "orders_app", "pw-1").Scan(&stmt))
	_, err = admin.Exec(ctx, stmt)
	require.NoError(t, err)

	dbSecret, err := json.Marshal(map[string]any{
		"engine": "postgres", "host": pg.Host, "port": pg.Port, "username": "orders_app",
		"password": "pw-1", "dbname": pg.Database, "ssl": true,
	})
	require.NoError(t, err)
	for id, v := range map[string]string{"orders/db": string(dbSecret), "orders/partner": "partner-key"} {
		_, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(id), SecretString: aws.String(v)})
		require.NoError(t, err)
	}

	a, err := newApp(ctx, sm, config{DBSecretID: "orders/db", PartnerKeyID: "orders/partner", CAFile: pg.CAFile, TTL: secretcache.DefaultTTL})
	require.NoError(t, err)
	defer a.Close()
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()

	res, err := http.Get(srv.URL + "/healthz")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusNoContent, res.StatusCode, "healthz")

	res, err = http.Get(srv.URL + "/v1/status")
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, "status")
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	var body statusBody
	require.NoError(t, json.Unmarshal(raw, &body))
	assert.NotEmpty(t, body.DBTime, "db_time")
	sum := sha256.Sum256([]byte("partner-key"))
	assert.Equal(t, hex.EncodeToString(sum[:4]), body.PartnerKeyRef, "key reference")
	assert.False(t, bytes.Contains(raw, []byte("partner-key")), "the response carries the key")
}
