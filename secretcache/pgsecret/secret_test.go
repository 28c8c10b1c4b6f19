package pgsecret

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testCA returns a freshly generated self-signed CA certificate in PEM, for
// config tests that do not connect.
func testCA(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test root"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		want    Secret
		wantErr bool
	}{
		{
			name: "port as number",
			raw:  `{"engine":"postgres","host":"db.example","port":5432,"username":"app","password":"pw","dbname":"orders","ssl":true}`,
			want: Secret{Engine: "postgres", Host: "db.example", Port: 5432, Username: "app", Password: "pw", DBName: "orders", SSL: true},
		},
		{
			name: "port as string, masterarn kept",
			raw:  `{"engine":"postgres","host":"db.example","port":"6543","username":"app","password":"pw","dbname":"orders","masterarn":"arn:aws:secretsmanager:eu-west-1:1:secret:m"}`,
			want: Secret{Engine: "postgres", Host: "db.example", Port: 6543, Username: "app", Password: "pw", DBName: "orders", MasterARN: "arn:aws:secretsmanager:eu-west-1:1:secret:m"},
		},
		{
			name: "RDS defaults for port and dbname",
			raw:  `{"host":"db.example","username":"app","password":"pw"}`,
			want: Secret{Host: "db.example", Port: 5432, Username: "app", Password: "pw", DBName: "postgres"},
		},
		{name: "mysql refused", raw: `{"engine":"mysql","host":"h","username":"u","password":"p"}`, wantErr: true},
		{name: "no password", raw: `{"host":"h","username":"u"}`, wantErr: true},
		{name: "port out of range", raw: `{"host":"h","port":"70000","username":"u","password":"p"}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.raw))
			if tt.wantErr {
				assert.ErrorIs(t, err, ErrInvalidSecret)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseErrorsDoNotQuoteTheSecret(t *testing.T) {
	for _, raw := range []string{
		`{"host":"h","username":"u","password":"hunter2"`, // truncated
		`{"host":"h","username":"u","password":88224466}`, // number into string
		`{"host":"h","username":"u","password":"p","port":"hunter2"}`,
	} {
		_, err := Parse([]byte(raw))
		require.Error(t, err)
		// strings.Contains, not assert.NotContains, which would print the value.
		assert.False(t, strings.Contains(err.Error(), "hunter2"), "error quotes the secret")
		assert.False(t, strings.Contains(err.Error(), "88224466"), "error quotes the secret")
	}
}

func TestSecretStringRedactsPassword(t *testing.T) {
	s := Secret{Host: "h", Port: 5432, Username: "u", Password: "hunter2", DBName: "d"}
	for _, verb := range []string{"%v", "%+v", "%s", "%#v"} {
		assert.False(t, strings.Contains(fmt.Sprintf(verb, s), "hunter2"), "%s prints the password", verb)
	}
}

func TestURLEscapesEveryPart(t *testing.T) {
	s := Secret{
		Host: "db.example", Port: 5432,
		Username: "app user@x", Password: `p@ss:w/rd?#%&= +'"\`, DBName: "orders db/1",
	}
	caFile := filepath.Join(t.TempDir(), "rds ca+bundle.pem")
	require.NoError(t, os.WriteFile(caFile, testCA(t), 0o600))
	u, err := s.URL(Endpoint{Host: "db.example"}, TLS{CAFile: caFile})
	require.NoError(t, err)
	cfg, err := pgx.ParseConfig(u)
	require.NoError(t, err, "pgx must parse the URL back")
	assert.Equal(t, s.Username, cfg.User, "user")
	assert.Equal(t, s.Password, cfg.Password, "password")
	assert.Equal(t, s.DBName, cfg.Database, "dbname")
	assert.Equal(t, "db.example", cfg.Host)
	assert.Contains(t, u, "sslmode=verify-full")
	assert.Equal(t, "scram-sha-256", cfg.RequireAuth, "require_auth in the URL")

	_, err = s.URL(Endpoint{Host: "db.example"}, TLS{CAPEM: testCA(t)})
	assert.Error(t, err, "a URL cannot carry CAPEM, so it must not silently drop verification")
}

func TestConnConfigTLS(t *testing.T) {
	base := Secret{Host: "db.example", Port: 5432, Username: "u", Password: "p", DBName: "d"}
	withSSL := base
	withSSL.SSL = true
	tests := []struct {
		name      string
		s         Secret
		tls       TLS
		wantTLS   bool
		wantError bool
	}{
		{"ssl true verifies with the CA", withSSL, TLS{CAPEM: testCA(t)}, true, false},
		{"ssl absent still verifies", base, TLS{CAPEM: testCA(t)}, true, false},
		{"no CA is an error, not plaintext", withSSL, TLS{}, false, true},
		{"AllowPlaintext does not override ssl true", withSSL, TLS{CAPEM: testCA(t), AllowPlaintext: true}, true, false},
		{"AllowPlaintext with ssl false", base, TLS{AllowPlaintext: true}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := tt.s.ConnConfig(Endpoint{Host: "db.example", Port: 5432}, tt.tls)
			if tt.wantError {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Empty(t, cfg.Fallbacks, "no fallback connection may exist")
			if !tt.wantTLS {
				assert.Nil(t, cfg.TLSConfig)
				return
			}
			require.NotNil(t, cfg.TLSConfig)
			assert.Equal(t, "scram-sha-256", cfg.RequireAuth, "a verified connection accepts SCRAM only")
			assert.Equal(t, "db.example", cfg.TLSConfig.ServerName, "certificate checked against the host")
			assert.False(t, cfg.TLSConfig.InsecureSkipVerify)
			assert.NotNil(t, cfg.TLSConfig.RootCAs)
		})
	}
}

// TestAnotherServerIsRefused: a secret that names another host or port than
// the caller expects gives no config and no URL.
func TestAnotherServerIsRefused(t *testing.T) {
	s := Secret{Host: "db.attacker.example", Port: 5432, Username: "u", Password: "hunter2", DBName: "d", SSL: true}
	for name, e := range map[string]Endpoint{
		"another host":           {Host: "db.example"},
		"another port":           {Host: "db.attacker.example", Port: 6432},
		"no expected host given": {},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := s.ConnConfig(e, TLS{CAPEM: testCA(t)})
			require.Error(t, err)
			assert.False(t, strings.Contains(err.Error(), "hunter2"), "error quotes the password")
			_, err = s.URL(e, TLS{CAFile: "/ca.pem"})
			require.Error(t, err)
			if e.Host != "" {
				assert.ErrorIs(t, err, ErrUnexpectedServer)
			}
		})
	}
	cfg, err := Secret{Host: "DB.Example.", Port: 5432, Username: "u", Password: "p"}.ConnConfig(Endpoint{Host: "db.example"}, TLS{CAPEM: testCA(t)})
	require.NoError(t, err, "host names compare without case or the root dot")
	assert.Equal(t, "DB.Example.", cfg.Host)
}
