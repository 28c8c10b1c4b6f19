package postgres

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/internal/testenv"
	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/engine"
)

// assertNothingReceived fails when any secret reached the impostor, naming
// it by number only: the failure must not print it.
func assertNothingReceived(t *testing.T, im *testenv.Impostor, secrets ...string) {
	t.Helper()
	for i, leaked := range im.Received(secrets...) {
		assert.False(t, leaked, "the impostor received secret #%d of %d (not shown)", i+1, len(secrets))
	}
	assert.NotContains(t, im.Messages(), "Password", "the impostor received a password message")
}

// TestImpostorHarnessSeesAPassword is the control: a client that neither
// verifies the server nor restricts authentication (sslmode=require, as the
// rotator used to connect) hands the cleartext impostor its password, and the
// harness sees it. The tests below are meaningful because this one passes.
func TestImpostorHarnessSeesAPassword(t *testing.T) {
	im := testenv.NewImpostor(t, testenv.MustCA(t, "impostor's own CA").ServerCert(t, "127.0.0.1"), testenv.AuthCleartext)
	pw := newPassword(t)
	cfg, err := pgconn.ParseConfig("host=127.0.0.1 port=" + strconv.Itoa(im.Addr.Port) + " user=app sslmode=require connect_timeout=5")
	require.NoError(t, err)
	cfg.Password = pw
	_, err = pgconn.ConnectConfig(t.Context(), cfg)
	require.Error(t, err, "the impostor never completes a login")
	require.Eventually(t, func() bool { return im.Received(pw)[0] }, 5*time.Second, 10*time.Millisecond,
		"an unverified client's password did not reach the impostor: the harness cannot see a leak")
	assert.Contains(t, im.Messages(), "Password")
}

// impostorCase is one hostile server the rotator is pinned to (as if the
// pinned name resolved to it).
type impostorCase struct {
	name string
	// cert is what the impostor presents; trusted is what the rotator trusts.
	cert func(t *testing.T, trusted *testenv.CA) tls.Certificate
	auth string
	// verified says TLS succeeds, so the refusal is the authentication's.
	verified bool
}

func impostorCases() []impostorCase {
	return []impostorCase{
		{name: "a certificate from another CA", auth: testenv.AuthCleartext,
			cert: func(t *testing.T, _ *testenv.CA) tls.Certificate {
				return testenv.MustCA(t, "not the RDS CA").ServerCert(t, "127.0.0.1")
			}},
		{name: "the right CA for another name", auth: testenv.AuthCleartext,
			cert: func(t *testing.T, trusted *testenv.CA) tls.Certificate {
				return trusted.ServerCert(t, "db.elsewhere.example")
			}},
		{name: "a verified server asking for a cleartext password", auth: testenv.AuthCleartext, verified: true,
			cert: func(t *testing.T, trusted *testenv.CA) tls.Certificate { return trusted.ServerCert(t, "127.0.0.1") }},
		{name: "a verified server asking for an MD5 password", auth: testenv.AuthMD5, verified: true,
			cert: func(t *testing.T, trusted *testenv.CA) tls.Certificate { return trusted.ServerCert(t, "127.0.0.1") }},
	}
}

// newStrategy builds a postgres strategy on cfg.
func newStrategy(t *testing.T, strategy contract.Strategy, cfg Config, env *rotatortest.Env) engine.Strategy {
	t.Helper()
	var s engine.Strategy
	var err error
	if strategy == contract.PostgresSingleUser {
		s, err = NewSingleUser(cfg, env.SM)
	} else {
		s, err = NewAlternatingUsers(cfg, env.SM)
	}
	require.NoError(t, err)
	return s
}

// impostorSecret creates, in moto, a master secret and a secret of user
// pointing at addr, and returns the secret's ARN and its passwords.
func impostorSecret(t *testing.T, env *rotatortest.Env, addr *net.TCPAddr, user string) (arn string, secrets []string) {
	t.Helper()
	masterPW, userPW := newPassword(t), newPassword(t)
	master, err := json.Marshal(map[string]string{"username": "rdsmaster", "password": masterPW})
	require.NoError(t, err)
	m := env.CreateSecret(t, "rds!impostor-"+rotatortest.NewToken()[:8], string(master))
	value, err := json.Marshal(map[string]any{
		"engine": "postgres", "host": addr.IP.String(), "port": addr.Port, "username": user,
		"password": userPW, "dbname": appDB, "masterarn": m.ARN,
	})
	require.NoError(t, err)
	return env.CreateSecret(t, "/impostor/"+user+"-"+rotatortest.NewToken()[:8], string(value)).ARN, []string{masterPW, userPW}
}

// TestAnImpostorGetsNoPassword runs each strategy's rotation against a
// hostile server on the pinned address: setSecret fails, AWSCURRENT stays,
// and no password (current, pending or master) reaches the impostor.
func TestAnImpostorGetsNoPassword(t *testing.T) {
	env := rotatortest.New(t)
	trusted := testenv.MustCA(t, "the rotator's CA")
	caFile := trusted.File(t)
	for _, tc := range impostorCases() {
		for _, strategy := range []contract.Strategy{contract.PostgresSingleUser, contract.PostgresAlternatingUsers} {
			t.Run(tc.name+"/"+string(strategy), func(t *testing.T) {
				im := testenv.NewImpostor(t, tc.cert(t, trusted), tc.auth)
				cfg := Config{Logins: contract.Logins{Host: "127.0.0.1", Port: im.Addr.Port}, RootCertFile: caFile}
				h := engine.NewHandler(env.Client(nil), newStrategy(t, strategy, cfg, env), rotatortest.Logger(t))
				arn, secrets := impostorSecret(t, env, im.Addr, "app")
				before := env.Current(t, arn)
				token := env.StartRotation(t, arn)
				rotatortest.RunSteps(t, h, arn, token, engine.StepCreate)
				pending := env.Value(t, arn, token, engine.StagePending)
				err := rotatortest.Step(t.Context(), h, arn, token, engine.StepSet)
				require.Error(t, err, "setSecret against the impostor succeeded")
				var pendingCreds struct{ Password string }
				require.NoError(t, json.Unmarshal([]byte(pending.Value), &pendingCreds))
				secrets = append(secrets, pendingCreds.Password)
				assertNoSecret(t, err, secrets...)
				assert.Positive(t, im.Accepts(), "the rotator never reached the impostor: the case proves nothing")
				assertNothingReceived(t, im, secrets...)
				msgs := im.Messages()
				assert.Equal(t, tc.verified, len(msgs) > 0 && msgs[0] == "StartupMessage",
					"messages after TLS %v: want a startup message only when the impostor's certificate verifies", msgs)
				env.AssertUnchanged(t, arn, before)
			})
		}
	}
}

// TestAnUnpinnedServerIsRefusedWithoutAConnection: an application secret, or
// a master secret, that names another server than the pinned one is refused
// before any TCP connection, to either server.
func TestAnUnpinnedServerIsRefusedWithoutAConnection(t *testing.T) {
	env := rotatortest.New(t)
	trusted := testenv.MustCA(t, "the rotator's CA")
	caFile := trusted.File(t)
	pinned := testenv.NewImpostor(t, trusted.ServerCert(t, "127.0.0.1"), testenv.AuthSCRAM)
	elsewhere := testenv.NewImpostor(t, trusted.ServerCert(t, "127.0.0.1"), testenv.AuthCleartext)
	cfg := Config{Logins: contract.Logins{Host: "127.0.0.1", Port: pinned.Addr.Port}, RootCertFile: caFile}

	t.Run("application secret", func(t *testing.T) {
		for _, strategy := range []contract.Strategy{contract.PostgresSingleUser, contract.PostgresAlternatingUsers} {
			h := engine.NewHandler(env.Client(nil), newStrategy(t, strategy, cfg, env), rotatortest.Logger(t))
			arn, secrets := impostorSecret(t, env, elsewhere.Addr, "app")
			before := env.Current(t, arn)
			token := env.StartRotation(t, arn)
			err := rotatortest.Step(t.Context(), h, arn, token, engine.StepCreate)
			require.Error(t, err, "%s: createSecret of a secret naming another server", strategy)
			assert.True(t, errors.Is(err, ErrUnpinnedServer), "%s: got %v, want %v", strategy, err, ErrUnpinnedServer)
			assertNoSecret(t, err, secrets...)
			env.AssertUnchanged(t, arn, before)
		}
	})

	t.Run("master secret", func(t *testing.T) {
		s, err := NewAlternatingUsers(cfg, env.SM)
		require.NoError(t, err)
		masterPW := newPassword(t)
		master, err := json.Marshal(map[string]any{"username": "rdsmaster", "password": masterPW,
			"host": "127.0.0.1", "port": elsewhere.Addr.Port})
		require.NoError(t, err)
		m := env.CreateSecret(t, "rds!elsewhere-"+rotatortest.NewToken()[:8], string(master))
		value, err := json.Marshal(map[string]any{"engine": "postgres", "host": "127.0.0.1", "port": pinned.Addr.Port,
			"username": "app", "password": newPassword(t), "dbname": appDB, "masterarn": m.ARN})
		require.NoError(t, err)
		arn := env.CreateSecret(t, "/impostor/master-"+rotatortest.NewToken()[:8], string(value)).ARN
		h := engine.NewHandler(env.Client(nil), s, rotatortest.Logger(t))
		before := env.Current(t, arn)
		token := env.StartRotation(t, arn)
		rotatortest.RunSteps(t, h, arn, token, engine.StepCreate)
		err = rotatortest.Step(t.Context(), h, arn, token, engine.StepSet)
		require.Error(t, err, "setSecret with a master secret naming another server")
		assert.True(t, errors.Is(err, ErrUnpinnedServer), "got %v, want %v", err, ErrUnpinnedServer)
		assertNoSecret(t, err, masterPW)
		env.AssertUnchanged(t, arn, before)
	})

	assert.Zero(t, elsewhere.Accepts(), "the other server accepted %d connections, want none", elsewhere.Accepts())
	assert.Zero(t, pinned.Accepts(), "the pinned server accepted %d connections, want none before the refusal", pinned.Accepts())
}
