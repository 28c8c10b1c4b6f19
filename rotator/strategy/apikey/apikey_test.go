package apikey_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/rotator/engine"
	"github.com/acme/secrets-platform/rotator/strategy/apikey"
)

// value is the fake provider's secret value: {"id","secret"} plus carried fields.
type value struct {
	id, secret string
	rest       apikey.Object
}

func (v value) KeyID() string { return v.id }

func (v value) CheckKey() error {
	if v.id == "" || v.secret == "" {
		return errors.New("id or secret is empty")
	}
	return nil
}

func (v value) Marshal() ([]byte, error) {
	return v.rest.Marshal(map[string]string{"id": v.id, "secret": v.secret})
}

// fake is an in-memory provider that records the calls the lifecycle makes.
type fake struct {
	mu     sync.Mutex
	names  map[string]string // key id -> name
	listed []string          // ids FindByName answers, when set
	fail   map[string]error  // call -> error
	calls  []string
	next   int
}

func (f *fake) ParseValue(b []byte) (value, error) {
	var v value
	rest, err := apikey.ParseObject(b, "not an object", map[string]*string{"id": &v.id, "secret": &v.secret})
	if err != nil {
		return value{}, err
	}
	v.rest = rest
	return v, nil
}

func (f *fake) ParseAdmin(b []byte) (string, error) {
	var a struct{ Token string }
	if err := json.Unmarshal(b, &a); err != nil || a.Token == "" {
		return "", errors.New(`value is not {"token": "..."}`)
	}
	return a.Token, nil
}

func (f *fake) Keys(string, value) (apikey.Keys[value], error) { return f, nil }

func (f *fake) CheckListed(id string) error {
	if !strings.HasPrefix(id, "k-") {
		return errors.New("answer lists a malformed id")
	}
	return nil
}

func (f *fake) Test(_ context.Context, pending value) error { return f.call("test " + pending.id) }

func (f *fake) call(c string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
	return f.fail[strings.Fields(c)[0]]
}

func (f *fake) FindByName(_ context.Context, name string) ([]string, error) {
	if err := f.call("find " + name); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.listed != nil {
		return f.listed, nil
	}
	var ids []string
	for id, n := range f.names {
		if n == name {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

func (f *fake) Create(_ context.Context, cur value, name string) (value, error) {
	if err := f.call("create " + name); err != nil {
		return value{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	cur.id, cur.secret = fmt.Sprintf("k-new%d", f.next), "fake-secret"
	f.names[cur.id] = name
	return cur, nil
}

func (f *fake) Activate(_ context.Context, id string) error { return f.call("activate " + id) }

func (f *fake) Exists(_ context.Context, id string) (bool, error) {
	if err := f.call("exists " + id); err != nil {
		return false, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.names[id]
	return ok, nil
}

func (f *fake) Revoke(_ context.Context, id string) error {
	if err := f.call("revoke " + id); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.names, id)
	return nil
}

// TestLifecycle runs the steps against the fake, with moto holding the admin
// and the rotated secret, and checks the calls made and the errors' words.
func TestLifecycle(t *testing.T) {
	env := rotatortest.New(t)
	admin := env.CreateSecret(t, "apikey/admin", `{"token":"admin-token"}`)
	terms := apikey.Terms{Name: "fake", Activate: "switch on", Get: "look at", Revoke: "retire"}
	const current = `{"id":"k-cur","secret":"cur-secret","endpoint":"https://api.example.test"}`
	tests := []struct {
		name      string
		orphans   []string // keys named for the token before Create
		listed    []string // overrides what FindByName answers
		fail      string   // the call that fails
		wantErr   string
		wantCalls []string // "<name>" stands for the token's KeyName
	}{
		{name: "mints, switches on and tests a key",
			wantCalls: []string{"find <name>", "create <name>", "activate k-new1", "test k-new1"}},
		{name: "a key left by a crashed attempt is retired first", orphans: []string{"k-lost"},
			wantCalls: []string{"find <name>", "revoke k-lost", "create <name>", "activate k-new1", "test k-new1"}},
		{name: "the current key is never retired", listed: []string{"k-cur"},
			wantErr: "it is the current key k-cur; refusing to replace it", wantCalls: []string{"find <name>"}},
		{name: "listed ids are checked one by one, in order", listed: []string{"k-lost", "SK1"},
			wantErr: "answer lists a malformed id", wantCalls: []string{"find <name>", "revoke k-lost"}},
		{name: "activate failure uses the provider's word", fail: "activate", wantErr: "switch on key k-new1: down",
			wantCalls: []string{"find <name>", "create <name>", "activate k-new1"}},
		{name: "test failure names the key", fail: "test", wantErr: "test key k-new1: down",
			wantCalls: []string{"find <name>", "create <name>", "activate k-new1", "test k-new1"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sec := env.CreateSecret(t, fmt.Sprintf("apikey/steps-%02d", i), current)
			f := &fake{names: map[string]string{"k-cur": "operator"}, listed: tt.listed, fail: map[string]error{}}
			if tt.fail != "" {
				f.fail[tt.fail] = errors.New("down")
			}
			s := newStrategy(t, env, admin.ARN, terms, f)
			r := engine.Rotation{SecretARN: sec.ARN, Token: rotatortest.NewToken(), Current: engine.Version{ID: sec.VersionID, Value: []byte(current)}}
			name := apikey.KeyName(r.SecretARN, r.Token)
			for _, id := range tt.orphans {
				f.names[id] = name
			}
			ctx := context.Background()

			v, err := s.Create(ctx, r)
			if err == nil {
				r.Pending = engine.Version{ID: r.Token, Value: v}
				if err = s.Set(ctx, r); err == nil {
					err = s.Test(ctx, r)
				}
			}

			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr, "error %q, want it to contain %q", err, tt.wantErr)
				// strings.Contains, not assert.NotContains, and no err in the
				// message: either would print the secret.
				for j, secret := range []string{"cur-secret", "fake-secret", "admin-token"} {
					assert.False(t, strings.Contains(err.Error(), secret), "error must not contain the secret value (secret #%d, not shown)", j+1)
				}
			} else {
				require.NoError(t, err)
				// Not assert.JSONEq, which would print the key's secret: the
				// secret is compared alone, the rest of the value as a whole.
				var got map[string]any
				require.NoError(t, json.Unmarshal(v, &got), "new value is not a JSON object")
				assert.True(t, got["secret"] == "fake-secret", "new value holds another secret than the minted key's (not shown)")
				delete(got, "secret")
				assert.Equal(t, map[string]any{"id": "k-new1", "endpoint": "https://api.example.test"}, got,
					"new value without its secret = %v, want the new key with endpoint carried over", got)
			}
			want := slices.Clone(tt.wantCalls)
			for i := range want {
				want[i] = strings.ReplaceAll(want[i], "<name>", name)
			}
			assert.Equal(t, want, f.calls, "calls %v, want %v", f.calls, want)
		})
	}
}

// TestRevoker checks the grace.Revoker side: a value without a key needs no
// call, and errors use the provider's words.
func TestRevoker(t *testing.T) {
	env := rotatortest.New(t)
	admin := env.CreateSecret(t, "apikey/admin", `{"token":"admin-token"}`)
	terms := apikey.Terms{Name: "fake", Activate: "switch on", Get: "look at", Revoke: "retire"}
	ctx := context.Background()

	f := &fake{names: map[string]string{"k-old": "operator"}, fail: map[string]error{}}
	s := newStrategy(t, env, admin.ARN, terms, f)
	old := engine.Version{ID: "v1", Value: []byte(`{"id":"k-old","secret":"old-secret"}`)}
	placeholder := engine.Version{ID: "v0", Value: []byte(`{}`)}

	id, err := s.KeyID(placeholder)
	require.NoError(t, err)
	assert.Empty(t, id, "KeyID of a placeholder = %q, want none", id)
	active, err := s.Active(ctx, placeholder)
	require.NoError(t, err)
	assert.False(t, active, "Active of a placeholder = true, want false")
	require.NoError(t, s.Revoke(ctx, placeholder))
	assert.Empty(t, f.calls, "calls %v for a placeholder, want none", f.calls)

	active, err = s.Active(ctx, old)
	require.NoError(t, err)
	assert.True(t, active, "Active before revoke = false, want true")
	require.NoError(t, s.Revoke(ctx, old))
	active, err = s.Active(ctx, old)
	require.NoError(t, err)
	assert.False(t, active, "Active after revoke = true, want false")

	f.fail["revoke"], f.fail["exists"] = errors.New("down"), errors.New("down")
	err = s.Revoke(ctx, old)
	require.Error(t, err)
	assert.Equal(t, "retire key k-old: down", err.Error())
	_, err = s.Active(ctx, old)
	require.Error(t, err)
	assert.Equal(t, "look at key k-old: down", err.Error())
}

func TestNew(t *testing.T) {
	env := rotatortest.New(t)
	terms := apikey.Terms{Name: "fake"}
	valid := apikey.Config{BaseURL: "https://keys.example.test", AdminSecretARN: "arn:admin", SecretsManager: env.SM, HTTP: http.DefaultClient, Now: time.Now}
	tests := []struct {
		name    string
		edit    func(*apikey.Config)
		wantErr string
	}{
		{name: "valid", edit: func(*apikey.Config) {}},
		{name: "loopback http", edit: func(c *apikey.Config) { c.BaseURL = "http://localhost:8080" }},
		{name: "remote http", edit: func(c *apikey.Config) { c.BaseURL = "http://keys.example.test" },
			wantErr: `new fake strategy: base URL "http://keys.example.test" must be https (http only for a loopback host)`},
		{name: "relative URL", edit: func(c *apikey.Config) { c.BaseURL = "/v1" }, wantErr: `base URL "/v1" is not an absolute URL`},
		{name: "no clock", edit: func(c *apikey.Config) { c.Now = nil },
			wantErr: "new fake strategy: admin secret ARN, secrets manager, HTTP client and clock are required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid
			tt.edit(&cfg)
			s, err := apikey.New(cfg, terms, func(*url.URL, *http.Client) apikey.Provider[value, string] { return &fake{} })
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr, "error %q, want it to contain %q", err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "fake", s.Name(), "Name() = %q, want fake", s.Name())
		})
	}
}

func newStrategy(t *testing.T, env *rotatortest.Env, adminARN string, terms apikey.Terms, f *fake) *apikey.Strategy[value, string] {
	t.Helper()
	s, err := apikey.New(apikey.Config{
		BaseURL: "https://keys.example.test", AdminSecretARN: adminARN, SecretsManager: env.SM,
		HTTP: http.DefaultClient, Now: time.Now,
	}, terms, func(*url.URL, *http.Client) apikey.Provider[value, string] { return f })
	require.NoError(t, err)
	return s
}
