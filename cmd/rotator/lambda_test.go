package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/internal/testenv"
	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/engine"
)

// The compiled bootstrap, run by aws-lambda-rie against moto: the test plays
// Secrets Manager and POSTs the four rotation events, as the service invokes
// the function, and the schedule's sweep event. The conformance suite runs
// the same strategies in process (TestConformance); this proves the wiring
// from the environment the program writes to each of them.

// invokeSweep sends a contract.SweepEvent for ids and returns the function's
// error type, "" on success.
func invokeSweep(t *testing.T, fn *testenv.Lambda, ids ...string) string {
	t.Helper()
	ev, err := contract.SweepEvent{Action: contract.ActionRevokeExpired, SecretIDs: ids}.JSON()
	require.NoError(t, err)
	res, err := fn.Invoke(t.Context(), []byte(ev))
	require.NoError(t, err)
	return res.FunctionError
}

func TestCompiledRotator(t *testing.T) {
	env := rotatortest.New(t)
	bootstrap := testenv.BuildBootstrap(t, "./cmd/rotator", "rotatortest")
	for _, s := range newSubjects(t, env) {
		t.Run(s.Name, func(t *testing.T) {
			fn := testenv.NewLambda(t, bootstrap, s.env(t, env.Moto.Env()))
			r := rotatortest.LambdaRotator(fn)
			arn := s.NewSecret(t, "/lambda/"+s.Name+"-"+rotatortest.NewToken()[:8])
			before := env.Current(t, arn)
			token := env.Rotate(t, r, arn)
			now := env.AssertRotated(t, arn, before, token)
			if s.Works != nil {
				assert.NoError(t, s.Works(t.Context(), now.Value), "the new AWSCURRENT works downstream")
			}
			inits := fn.InitDurations()
			require.Len(t, inits, 1, "aws-lambda-rie reported one init phase for the first invoke")
			t.Logf("cold start: init phase %v (target < 50ms; see BenchmarkColdStart)", inits[0])

			if s.settings.Strategy.RevokesKeys() {
				// Inside the grace the sweep revokes nothing; a secret that
				// does not exist fails, by name, without stopping the other.
				assert.Empty(t, invokeSweep(t, fn, arn), "sweep of %s", arn)
				assert.NotEmpty(t, invokeSweep(t, fn, "/lambda/no-such-secret", arn), "a sweep with a missing secret must fail")
				assert.NoError(t, s.Works(t.Context(), before.Value), "the replaced key works inside its grace")
			} else {
				assert.NotEmpty(t, invokeSweep(t, fn, arn), "a sweep event sent to %s must fail: it revokes nothing", s.Name)
			}
		})
	}
}

// TestDeployedBuildIgnoresTestSettings builds the rotator as rotation/artifact
// does, with no build tag, and sets ROTATOR_TEST_TWILIO_BASE_URL to a server
// that records every request: the twilio strategy's admin calls must go to
// api.twilio.com, never there. The same environment on the rotatortest build
// does reach the server, so the variable is what the tag switches.
func TestDeployedBuildIgnoresTestSettings(t *testing.T) {
	env := rotatortest.New(t)
	var requests atomic.Int64
	recorder := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
		http.Error(w, `{"code":20500,"message":"recorder"}`, http.StatusInternalServerError)
	}))
	t.Cleanup(recorder.Close)
	tw := rotatortest.NewTwilio(t) // only for a well-formed admin credential and value
	admin := env.CreateSecret(t, "/lambda/untagged/admin", tw.AdminValue())
	s := subject{
		settings: contract.Settings{Strategy: contract.Twilio, KeyAPI: contract.KeyAPI{AdminSecretARN: admin.ARN}},
		test:     contract.TestSettings{TwilioBaseURL: recorder.URL},
	}

	for _, tt := range []struct {
		name    string
		tags    []string
		reaches bool
	}{
		{name: "deployed build", reaches: false},
		{name: "rotatortest build", tags: []string{"rotatortest"}, reaches: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			requests.Store(0)
			fn := testenv.NewLambda(t, testenv.BuildBootstrap(t, "./cmd/rotator", tt.tags...), s.env(t, env.Moto.Env()))
			value := tw.Value(tw.AddKey("operator key", false))
			sec := env.CreateSecret(t, "/lambda/untagged/"+rotatortest.NewToken()[:8], value)
			before := env.Current(t, sec.ARN)
			token := env.StartRotation(t, sec.ARN)
			err := rotatortest.Step(context.Background(), rotatortest.LambdaRotator(fn), sec.ARN, token, engine.StepCreate)
			// Either way createSecret fails: the recorder answers 500, and
			// api.twilio.com is out of reach here (or refuses the test's
			// credential).
			require.Error(t, err, "createSecret")
			assert.False(t, strings.Contains(err.Error(), value), "the error holds the secret's value (not shown)")
			assert.Equal(t, tt.reaches, requests.Load() > 0, "requests to ROTATOR_TEST_TWILIO_BASE_URL: %d", requests.Load())
			env.AssertUnchanged(t, sec.ARN, before)
		})
	}
}

// TestDeployedBuildTrustsOnlyTheRDSAuthorities runs a postgres rotator built
// as it is deployed, with ROTATOR_TEST_ROOT_CA_FILE naming the CA of the
// tests' PostgreSQL: the deployed build ignores it and verifies the server
// against the embedded RDS authorities, which did not sign it, so setSecret
// fails on the certificate and AWSCURRENT stays. (The rotatortest build with
// the same environment rotates: TestCompiledRotator.)
func TestDeployedBuildTrustsOnlyTheRDSAuthorities(t *testing.T) {
	env := rotatortest.New(t)
	db := env.NewDatabase(t)
	s := subject{
		settings: contract.Settings{Strategy: contract.PostgresAlternatingUsers,
			Database: contract.Logins{Host: db.PG.Host, Port: db.PG.Port}},
		test: contract.TestSettings{RootCAFile: db.PG.CAFile},
	}
	fn := testenv.NewLambda(t, testenv.BuildBootstrap(t, "./cmd/rotator"), s.env(t, env.Moto.Env()))
	user := "u_deployed"
	pw := rotatortest.Password(t)
	db.CreateRole(t, user, pw)
	sec := env.CreateSecret(t, "/lambda/deployed-ca", db.Value(t, user, pw, true))
	before := env.Current(t, sec.ARN)
	token := env.StartRotation(t, sec.ARN)
	r := rotatortest.LambdaRotator(fn)
	require.NoError(t, rotatortest.Step(t.Context(), r, sec.ARN, token, engine.StepCreate))
	err := rotatortest.Step(t.Context(), r, sec.ARN, token, engine.StepSet)
	require.Error(t, err, "setSecret of the deployed build against a server no RDS authority signed")
	assert.Contains(t, err.Error(), "certificate", "got %v, want a certificate verification failure", err)
	assert.False(t, strings.Contains(err.Error(), db.MasterPassword), "the error holds the master password (not shown)")
	env.AssertUnchanged(t, sec.ARN, before)
}
