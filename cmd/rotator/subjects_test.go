package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/engine"
)

// subject is one strategy with the settings the program would write for it,
// the test-only settings that point it at the tests' services, and those
// services as the conformance suite sees them.
type subject struct {
	rotatortest.Subject
	settings contract.Settings
	test     contract.TestSettings
}

// env is the function's environment, as the program and a test would set it.
func (s subject) env(t testing.TB, moto []string) []string {
	t.Helper()
	env, err := s.settings.Env()
	require.NoError(t, err, "the table's settings must be ones the program can write")
	out := append([]string(nil), moto...)
	for _, m := range []map[string]string{env, s.test.Env()} {
		for k, v := range m {
			out = append(out, k+"="+v)
		}
	}
	return out
}

// keyField reads two string fields of a JSON value.
func keyField(value, idField, secretField string) (id, secret string, err error) {
	var v map[string]any
	if json.Unmarshal([]byte(value), &v) != nil {
		return "", "", errors.New("value is not a JSON object")
	}
	id, _ = v[idField].(string)
	secret, _ = v[secretField].(string)
	return id, secret, nil
}

// newSubjects is the one table of strategies: every test of the rotator that
// runs a strategy against its services takes its rows from here.
func newSubjects(t *testing.T, env *rotatortest.Env) []subject {
	t.Helper()
	keys := rotatortest.NewKeyAPI(t)
	keysAdmin := env.CreateSecret(t, "/conformance/http/admin-"+rotatortest.NewToken()[:8], keys.AdminValue())
	tw := rotatortest.NewTwilio(t)
	tw.SetPageSize(50) // Twilio's default; the suite leaves many keys on one account
	twAdmin := env.CreateSecret(t, "/conformance/twilio/admin-"+rotatortest.NewToken()[:8], tw.AdminValue())
	db := env.NewDatabase(t)
	grants := contract.Logins{Grants: []string{"pg_read_all_data", "pg_write_all_data"}, Host: db.PG.Host, Port: db.PG.Port}
	shape := contract.PasswordShape{Length: 40, ExcludeCharacters: "/@\"' \\`"}

	plain := func(value func() string) func(testing.TB, string) string {
		return func(t testing.TB, name string) string { return env.CreateSecret(t, name, value()).ARN }
	}
	role := func(t testing.TB, name string) string {
		user := "u_" + hex.EncodeToString(randomBytes(t, 6))
		pw := rotatortest.Password(t)
		db.CreateRole(t, user, pw, "pg_read_all_data")
		return env.CreateSecret(t, name, db.Value(t, user, pw, true)).ARN
	}
	dbWorks := func(ctx context.Context, value string) error { return db.LoginValue(ctx, value) }
	// placeholder is the program's first version of every secret it
	// generates or that an operator's prerequisite unblocks
	// (secrets/value.go): the marker alone.
	placeholder := func(t testing.TB, name string) string { return env.CreatePlaceholderSecret(t, name, nil).ARN }
	// dbPlaceholder is a database secret's, for a login role that does not
	// exist yet: the connection fields and the master, no password.
	dbPlaceholder := func(t testing.TB, name string) string {
		return env.CreatePlaceholderSecret(t, name, map[string]any{
			"engine": "postgres", "host": db.PG.Host, "port": db.PG.Port, "username": "u_" + hex.EncodeToString(randomBytes(t, 6)),
			"dbname": rotatortest.AppDB, "ssl": true, "masterarn": db.MasterARN,
		}).ARN
	}
	dbSecrets := func() []string { return []string{db.MasterPassword} }

	subjects := []subject{
		{settings: contract.Settings{Strategy: contract.Random, Password: shape}, Subject: rotatortest.Subject{
			NewSecret:      plain(func() string { return "first-value-" + rotatortest.NewToken() }),
			NewPlaceholder: placeholder,
			Calls:          8,
		}},
		{settings: contract.Settings{Strategy: contract.Keyring, Keyring: contract.Ring{MaxKeys: 12}}, Subject: rotatortest.Subject{
			NewSecret: plain(func() string {
				return fmt.Sprintf(`{"active":"k1","keys":{"k1":%q}}`, base64.StdEncoding.EncodeToString(randomBytes(t, 32)))
			}),
			SecretFields:   []string{"keys"},
			NewPlaceholder: placeholder,
			Calls:          10,
		}},
		{settings: contract.Settings{Strategy: contract.HTTPKey, KeyAPI: contract.KeyAPI{BaseURL: keys.URL, AdminSecretARN: keysAdmin.ARN, Grace: time.Hour}},
			Subject: keySubject(keys, "keyId", "apiKey", func(t testing.TB, name string) string {
				k := keys.AddKey("key-op-"+hex.EncodeToString(randomBytes(t, 4)), true)
				return env.CreateSecret(t, name, `{"keyId":"`+k.ID+`","apiKey":"`+k.Secret+`","endpoint":"https://api.example.test"}`).ARN
			}, []fault{
				{"list", engine.StepCreate, http.StatusInternalServerError},
				{"create", engine.StepCreate, http.StatusServiceUnavailable},
				{"activate", engine.StepSet, http.StatusInternalServerError},
				{"whoami", engine.StepTest, http.StatusBadGateway},
			})},
		{settings: contract.Settings{Strategy: contract.Twilio, KeyAPI: contract.KeyAPI{AdminSecretARN: twAdmin.ARN, Grace: time.Hour}},
			test: contract.TestSettings{TwilioBaseURL: tw.URL},
			Subject: keySubject(tw, "apiKeySid", "apiKeySecret", func(t testing.TB, name string) string {
				return env.CreateSecret(t, name, tw.Value(tw.AddKey("operator key", false))).ARN
			}, []fault{
				{"list", engine.StepCreate, http.StatusInternalServerError},
				{"create", engine.StepCreate, http.StatusTooManyRequests},
				{"fetch", engine.StepSet, http.StatusServiceUnavailable},
				{"balance", engine.StepTest, http.StatusUnauthorized},
			})},
		{settings: contract.Settings{Strategy: contract.PostgresSingleUser, Password: shape, Database: grants},
			test: contract.TestSettings{RootCAFile: db.PG.CAFile},
			Subject: rotatortest.Subject{
				NewSecret: role, NewPlaceholder: dbPlaceholder, Works: dbWorks, SecretFields: []string{"password"}, Secrets: dbSecrets, Calls: 11,
			}},
		{settings: contract.Settings{Strategy: contract.PostgresAlternatingUsers, Password: shape, Database: grants},
			test: contract.TestSettings{RootCAFile: db.PG.CAFile},
			Subject: rotatortest.Subject{
				NewSecret: role, NewPlaceholder: dbPlaceholder, Works: dbWorks, PreviousWorks: true, SecretFields: []string{"password"}, Secrets: dbSecrets, Calls: 11,
			}},
	}
	for i := range subjects {
		s := &subjects[i]
		if s.NewPlaceholder == nil {
			s.NewPlaceholder = placeholder
		}
		s.Name = string(s.settings.Strategy)
		s.Grace = s.settings.KeyAPI.Grace
		settings, test := s.settings, s.test
		s.Strategy = func(t testing.TB, sm *secretsmanager.Client, now func() time.Time) engine.Strategy {
			t.Helper()
			st, err := strategies(test)[settings.Strategy](context.Background(), engine.Deps{
				Settings: settings, SecretsManager: sm, HTTP: newHTTPClient(), Now: now,
			})
			require.NoError(t, err, "build %s", settings.Strategy)
			return st
		}
	}
	return subjects
}

// keyStandIn is what the two key API stand-ins (rotatortest.KeyAPI,
// rotatortest.Twilio) answer for the suite.
type keyStandIn interface {
	Accepts(id, secret string) bool
	Has(id string) bool
	FailOn(op string, status int) (lift func())
	Before(op string, f func()) (remove func())
	Secrets() []string
}

// fault is a stand-in operation failing with status, which must fail step.
type fault struct {
	op, step string
	status   int
}

// keySubject is a key strategy's subject on stand-in p, whose values name the
// key in idField and its secret in secretField.
func keySubject(p keyStandIn, idField, secretField string, newSecret func(testing.TB, string) string, faults []fault) rotatortest.Subject {
	s := rotatortest.Subject{
		NewSecret: newSecret,
		Works: func(_ context.Context, value string) error {
			id, secret, err := keyField(value, idField, secretField)
			if err != nil || !p.Accepts(id, secret) {
				return fmt.Errorf("the provider refuses key %q", id)
			}
			return nil
		},
		KeyLive: func(value string) bool {
			id, _, _ := keyField(value, idField, secretField)
			return p.Has(id)
		},
		PreviousWorks: true,
		SecretFields:  []string{secretField},
		Secrets:       p.Secrets,
		Before:        p.Before,
		// 13 before the switch label (decision D4: +1 in finishSecret) and
		// the read-back after the put (+1 in createSecret); the grace gate
		// now reads the labels of the step's own DescribeSecret (-1).
		Calls: 14,
	}
	for _, f := range faults {
		s.Faults = append(s.Faults, rotatortest.Fault{Name: f.op, Step: f.step, Inject: func() func() { return p.FailOn(f.op, f.status) }})
	}
	return s
}

func randomBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("read random: %v", err)
	}
	return b
}
