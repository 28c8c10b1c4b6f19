package pgsecret_test

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"net"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/testenv"
	"github.com/acme/secrets-platform/secretcache"
	"github.com/acme/secrets-platform/secretcache/integration/internal/awstest"
	"github.com/acme/secrets-platform/secretcache/pgsecret"
)

// impostorSecret stores an RDS secret that names addr, and returns its id
// and password.
func impostorSecret(t *testing.T, sm *secretsmanager.Client, name string, addr *net.TCPAddr) (string, string) {
	t.Helper()
	pw := newPassword(t)
	b, err := json.Marshal(map[string]any{"engine": "postgres", "host": addr.IP.String(), "port": addr.Port,
		"username": appRole, "password": pw, "dbname": "orders", "ssl": true})
	require.NoError(t, err)
	_, err = sm.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(string(b))})
	require.NoError(t, err)
	return name, pw
}

// assertNoPassword fails when pw reached im, without printing it.
func assertNoPassword(t *testing.T, im *testenv.Impostor, pw string) {
	t.Helper()
	assert.False(t, im.Received(pw)[0], "the impostor received the password (not shown)")
	assert.NotContains(t, im.Messages(), "Password", "the impostor received a password message")
}

// TestAnImpostorGetsNoPassword points the connector at a hostile server on
// the expected address (as if the name resolved to it): with another CA's
// certificate, the right CA's for another name, or a verified certificate
// and a request for a cleartext or MD5 password, the login fails and no
// password byte reaches it, through Connect and through the pool.
func TestAnImpostorGetsNoPassword(t *testing.T) {
	m := testenv.NewMoto(t)
	sm := awstest.Client(t, m)
	trusted := testenv.MustCA(t, "the application's RDS CA")
	for i, tc := range []struct {
		name     string
		cert     func() tls.Certificate
		auth     string
		verified bool
	}{
		{"a certificate from another CA", func() tls.Certificate {
			return testenv.MustCA(t, "another CA").ServerCert(t, "127.0.0.1")
		}, testenv.AuthCleartext, false},
		{"the right CA for another name", func() tls.Certificate { return trusted.ServerCert(t, "db.elsewhere.example") }, testenv.AuthCleartext, false},
		{"a verified server asking for a cleartext password", func() tls.Certificate { return trusted.ServerCert(t, "127.0.0.1") }, testenv.AuthCleartext, true},
		{"a verified server asking for an MD5 password", func() tls.Certificate { return trusted.ServerCert(t, "127.0.0.1") }, testenv.AuthMD5, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			im := testenv.NewImpostor(t, tc.cert(), tc.auth)
			id, pw := impostorSecret(t, sm, "impostor/"+string(rune('a'+i)), im.Addr)
			cache, err := secretcache.New(sm)
			require.NoError(t, err)
			conn, err := pgsecret.NewConnector(cache, id, pgsecret.Endpoint{Host: "127.0.0.1", Port: im.Addr.Port}, pgsecret.TLS{CAPEM: trusted.PEM})
			require.NoError(t, err)
			_, err = conn.Connect(t.Context())
			require.Error(t, err, "a login to the impostor succeeded")
			pool, err := pgsecret.NewPool(t.Context(), conn, nil)
			require.NoError(t, err)
			defer pool.Close()
			require.Error(t, pool.Ping(t.Context()), "a pooled login to the impostor succeeded")
			assert.Positive(t, im.Accepts(), "the connector never reached the impostor: the case proves nothing")
			assertNoPassword(t, im, pw)
			msgs := im.Messages()
			assert.Equal(t, tc.verified, len(msgs) > 0 && msgs[0] == "StartupMessage",
				"messages after TLS %v: want a startup message only when the certificate verifies", msgs)
		})
	}
}

// TestAnotherServerIsRefusedWithoutAConnection: a secret that names another
// server than the caller's Endpoint opens no TCP connection to either.
func TestAnotherServerIsRefusedWithoutAConnection(t *testing.T) {
	m := testenv.NewMoto(t)
	sm := awstest.Client(t, m)
	trusted := testenv.MustCA(t, "the application's RDS CA")
	expected := testenv.NewImpostor(t, trusted.ServerCert(t, "127.0.0.1"), testenv.AuthSCRAM)
	elsewhere := testenv.NewImpostor(t, trusted.ServerCert(t, "127.0.0.1"), testenv.AuthCleartext)
	id, pw := impostorSecret(t, sm, "impostor/elsewhere", elsewhere.Addr)
	cache, err := secretcache.New(sm)
	require.NoError(t, err)
	conn, err := pgsecret.NewConnector(cache, id, pgsecret.Endpoint{Host: "127.0.0.1", Port: expected.Addr.Port}, pgsecret.TLS{CAPEM: trusted.PEM})
	require.NoError(t, err)
	_, err = conn.Connect(t.Context())
	require.Error(t, err)
	assert.True(t, errors.Is(err, pgsecret.ErrUnexpectedServer), "got %v, want %v", err, pgsecret.ErrUnexpectedServer)
	_, err = pgsecret.NewPool(t.Context(), conn, nil)
	assert.ErrorIs(t, err, pgsecret.ErrUnexpectedServer)
	assert.Zero(t, elsewhere.Accepts(), "the server the secret names accepted %d connections", elsewhere.Accepts())
	assert.Zero(t, expected.Accepts(), "the expected server accepted %d connections", expected.Accepts())
	assertNoPassword(t, elsewhere, pw)
}

// TestAPlaceholderIsNoValueYet: a database secret still at the platform's
// placeholder gives the connector the cache's clear error, and no login.
func TestAPlaceholderIsNoValueYet(t *testing.T) {
	m := testenv.NewMoto(t)
	sm := awstest.Client(t, m)
	im := testenv.NewImpostor(t, testenv.MustCA(t, "x").ServerCert(t, "127.0.0.1"), testenv.AuthSCRAM)
	_, err := sm.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("/prod/app/database"),
		SecretString: aws.String(`{"engine":"postgres","host":"127.0.0.1","port":5432,"username":"app","` + secretcache.PlaceholderKey + `":"no value yet"}`)})
	require.NoError(t, err)
	cache, err := secretcache.New(sm)
	require.NoError(t, err)
	conn, err := pgsecret.NewConnector(cache, "/prod/app/database", pgsecret.Endpoint{Host: "127.0.0.1", Port: im.Addr.Port}, pgsecret.TLS{CAPEM: []byte("unused")})
	require.NoError(t, err)
	_, err = conn.Connect(t.Context())
	require.ErrorIs(t, err, secretcache.ErrNoValueYet)
	assert.Contains(t, err.Error(), "secret /prod/app/database has no value yet")
	assert.Zero(t, im.Accepts())
}
