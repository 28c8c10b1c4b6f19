package main

import (
	"maps"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadConfig(t *testing.T) {
	full := map[string]string{
		"ORDERS_DB_SECRET_ID": "db", "ORDERS_DB_HOST": "db.internal", "ORDERS_PARTNER_KEY_ID": "key", "RDS_CA_FILE": "/ca.pem",
	}
	tests := []struct {
		name    string
		env     map[string]string
		wantErr bool
		want    string // ListenAddr
	}{
		{"defaults", full, false, "127.0.0.1:8080"},
		{"missing secret id", map[string]string{"RDS_CA_FILE": "/ca.pem"}, true, ""},
		{"missing database host", merge(full, map[string]string{"ORDERS_DB_HOST": ""}), true, ""},
		{"bad database port", merge(full, map[string]string{"ORDERS_DB_PORT": "pg"}), true, ""},
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
