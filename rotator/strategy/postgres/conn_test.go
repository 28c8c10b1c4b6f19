package postgres

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/rotator/contract"
)

// sslRequest is the first message a client that insists on TLS sends: length 8,
// code 80877103. A plain-text startup would begin with the protocol version.
var sslRequest = []byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f}

// firstBytes records what a connection writes first.
type firstBytes struct {
	net.Conn
	mu  *sync.Mutex
	buf *bytes.Buffer
}

func (c firstBytes) Write(p []byte) (int, error) {
	c.mu.Lock()
	if c.buf.Len() < len(sslRequest) {
		c.buf.Write(p[:min(len(p), len(sslRequest)-c.buf.Len())])
	}
	c.mu.Unlock()
	return c.Conn.Write(p)
}

// otherCA writes a CA that did not sign the server's certificate.
func otherCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "not the server's CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "other-ca.pem")
	require.NoError(t, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	return path
}

// TestConnectAlwaysUsesTLS proves that every login starts with SSLRequest,
// whatever the PG* environment says, that the server is verified (a
// certificate from another CA, or the embedded RDS authorities, which did not
// sign the test server, are refused), and that a login to another server
// than the pinned one opens no connection.
func TestConnectAlwaysUsesTLS(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	pw := newPassword(t)
	f.CreateRole(t, "app_tls", pw)
	l := login{host: f.PG.Host, port: f.PG.Port, database: appDB, user: "app_tls", password: pw}

	tests := []struct {
		name     string
		rootCert string
		env      map[string]string
		login    login
		wantErr  string
		wantDial bool
	}{
		{name: "verify-full with the test CA", rootCert: f.PG.CAFile, wantDial: true},
		{name: "PGSSLMODE=disable in the environment", rootCert: f.PG.CAFile, env: map[string]string{"PGSSLMODE": "disable"}, wantDial: true},
		{name: "PG* variables that would weaken authentication", rootCert: f.PG.CAFile, wantDial: true,
			env: map[string]string{"PGREQUIREAUTH": "password,md5", "PGSSLNEGOTIATION": "direct", "PGHOST": "127.0.0.2", "PGSSLROOTCERT": "/nonexistent"}},
		{name: "the embedded RDS authorities do not vouch for the test server", wantErr: "certificate", wantDial: true},
		{name: "another CA is refused", rootCert: otherCA(t), wantErr: "certificate", wantDial: true},
		{name: "another port is refused before any dial", rootCert: f.PG.CAFile, wantErr: ErrUnpinnedServer.Error(),
			login: login{host: f.PG.Host, port: f.PG.Port + 1, database: appDB, user: "app_tls", password: pw}},
		{name: "another host is refused before any dial", rootCert: f.PG.CAFile, wantErr: ErrUnpinnedServer.Error(),
			login: login{host: "db.attacker.example", port: f.PG.Port, database: appDB, user: "app_tls", password: pw}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var mu sync.Mutex
			var buf bytes.Buffer
			d := &net.Dialer{Timeout: 5 * time.Second}
			dials := 0
			c, err := newConnector(Config{Logins: contract.Logins{Host: f.PG.Host, Port: f.PG.Port}, RootCertFile: tt.rootCert,
				DialFunc: func(ctx context.Context, network, addr string) (net.Conn, error) {
					dials++
					conn, err := d.DialContext(ctx, network, addr)
					if err != nil {
						return nil, err
					}
					return firstBytes{Conn: conn, mu: &mu, buf: &buf}, nil
				}})
			require.NoError(t, err)
			in := l
			if tt.login != (login{}) {
				in = tt.login
			}
			conn, err := c.connect(ctx, in)
			mu.Lock()
			got := bytes.Clone(buf.Bytes())
			mu.Unlock()
			assert.Equal(t, tt.wantDial, dials > 0, "dials: %d", dials)
			if tt.wantDial {
				assert.Equal(t, sslRequest, got, "first bytes on the wire: got %x, want SSLRequest %x", got, sslRequest)
			}
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assertNoLeak(t, err.Error(), pw)
				return
			}
			require.NoError(t, err)
			defer closeQuietly(conn)
			var ssl bool
			require.NoError(t, conn.QueryRow(ctx, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").Scan(&ssl))
			assert.True(t, ssl, "server reports the session as not encrypted")
		})
	}
}

// TestScrub proves that a password in an error text is masked while the
// error chain still answers errors.As.
func TestScrub(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		secrets  []string
		wantText string
		wantAuth bool
	}{
		{name: "nil stays nil", err: nil},
		{
			name:     "password masked, SQLSTATE kept",
			err:      fmt.Errorf("log in: %w", &pgconn.PgError{Severity: "FATAL", Code: "28P01", Message: "auth failed for pw=s3cr3t!"}),
			secrets:  []string{"s3cr3t!", ""},
			wantText: "log in: FATAL: auth failed for pw=[redacted] (SQLSTATE 28P01)",
			wantAuth: true,
		},
		{name: "nothing to mask", err: errors.New("dial tcp: refused"), secrets: []string{"x9"}, wantText: "dial tcp: refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := scrub(tt.err, tt.secrets...)
			if tt.err == nil {
				assert.NoError(t, got)
				return
			}
			assert.Equal(t, tt.wantText, got.Error())
			assert.Equal(t, tt.wantAuth, isAuthFailure(got), "isAuthFailure: got %v, want %v", isAuthFailure(got), tt.wantAuth)
		})
	}
}

// TestQuoteConnValue proves a value from a secret cannot add a setting.
func TestQuoteConnValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{in: "db.example.com", want: `'db.example.com'`},
		{in: "x' sslmode='disable", want: `'x\' sslmode=\'disable'`},
		{in: `back\slash`, want: `'back\\slash'`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := quoteConnValue(tt.in)
			assert.Equal(t, tt.want, got)
			cfg, err := pgconn.ParseConfig("host=" + got + " sslmode=require")
			require.NoError(t, err)
			assert.Equal(t, tt.in, cfg.Host, "parsed host: got %q, want %q", cfg.Host, tt.in)
			assert.NotNil(t, cfg.TLSConfig, "an injected sslmode took effect")
		})
	}
}
