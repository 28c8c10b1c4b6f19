package apikey_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/engine"
	"github.com/acme/secrets-platform/rotator/strategy/apikey"
)

// fake is an in-memory provider that records the calls the lifecycle makes:
// the lifecycle's own decisions are under test here; the two real providers
// run the conformance suite (cmd/rotator) against servers that follow their
// contracts. Values are {"id","secret"} plus carried fields.
type fake struct {
	mu     sync.Mutex
	names  map[string]string // key id -> name
	listed []string          // ids FindByName answers, when set
	fail   map[string]error  // call -> error
	calls  []string
	next   int
}

type fakeValue struct {
	ID     string `json:"id"`
	Secret string `json:"secret"`
}

func (f *fake) KeyID(b []byte) (string, error) {
	var v fakeValue
	if err := json.Unmarshal(b, &v); err != nil {
		return "", errors.New("not an object")
	}
	return v.ID, nil
}

func (f *fake) Account(admin, value []byte) (apikey.Account, error) {
	var a struct{ Token string }
	if err := json.Unmarshal(admin, &a); err != nil || a.Token == "" {
		return nil, errors.New(`value is not {"token": "..."}`)
	}
	var rest map[string]any
	if err := json.Unmarshal(value, &rest); err != nil {
		return nil, errors.New("not an object")
	}
	return account{f, rest}, nil
}

func (f *fake) Test(_ context.Context, pending []byte) error {
	id, _ := f.KeyID(pending)
	return f.call("test " + id)
}

func (f *fake) call(c string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
	return f.fail[strings.Fields(c)[0]]
}

// account carries the value it was made from, as the real providers do.
type account struct {
	f    *fake
	rest map[string]any
}

func (a account) FindByName(_ context.Context, name string) ([]string, error) {
	f := a.f
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

func (a account) Create(_ context.Context, name string) ([]byte, error) {
	f := a.f
	if err := f.call("create " + name); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	id := fmt.Sprintf("k-new%d", f.next)
	f.names[id] = name
	next := map[string]any{"id": id, "secret": "fake-secret"}
	for k, v := range a.rest {
		if k != "id" && k != "secret" {
			next[k] = v
		}
	}
	return json.Marshal(next)
}

func (a account) Activate(_ context.Context, id string) error { return a.f.call("activate " + id) }

func (a account) Exists(_ context.Context, id string) (bool, error) {
	if err := a.f.call("exists " + id); err != nil {
		return false, err
	}
	a.f.mu.Lock()
	defer a.f.mu.Unlock()
	_, ok := a.f.names[id]
	return ok, nil
}

func (a account) Revoke(_ context.Context, id string) error {
	if err := a.f.call("revoke " + id); err != nil {
		return err
	}
	a.f.mu.Lock()
	defer a.f.mu.Unlock()
	delete(a.f.names, id)
	return nil
}

func newStrategy(t *testing.T, env *rotatortest.Env, adminARN string, f *fake) *apikey.Strategy {
	t.Helper()
	s, err := apikey.New("fake", contract.KeyAPI{AdminSecretARN: adminARN}, f,
		apikey.Clients{SecretsManager: env.SM, HTTP: http.DefaultClient, Now: time.Now})
	require.NoError(t, err)
	return s
}

// TestLifecycle runs the steps against the fake, with moto holding the admin
// and the rotated secret, and checks the calls made and the errors' words.
func TestLifecycle(t *testing.T) {
	env := rotatortest.New(t)
	admin := env.CreateSecret(t, "apikey/admin", `{"token":"admin-token"}`)
	const current = `{"id":"k-cur","secret":"cur-secret","endpoint":"https://api.example.test"}`
	tests := []struct {
		name      string
		orphans   []string // keys named for the token before Create
		strays    []string // keys named for the token after Create (a concurrent attempt's)
		listed    []string // overrides what FindByName answers
		fail      string   // the call that fails
		pending   string   // replaces the value Create made
		wantErr   string
		wantCalls []string // "<name>" stands for the token's KeyName
	}{
		{name: "mints, activates and tests a key",
			wantCalls: []string{"find <name>", "create <name>", "find <name>", "activate k-new1", "test k-new1"}},
		{name: "a key left by a crashed attempt is revoked first", orphans: []string{"k-lost"},
			wantCalls: []string{"find <name>", "revoke k-lost", "create <name>", "find <name>", "activate k-new1", "test k-new1"}},
		{name: "a key a concurrent attempt minted is revoked in Set", strays: []string{"k-stray"},
			wantCalls: []string{"find <name>", "create <name>", "find <name>", "revoke k-stray", "activate k-new1", "test k-new1"}},
		{name: "the current key is never revoked", listed: []string{"k-cur"},
			wantErr: "it is the current key k-cur; refusing to replace it", wantCalls: []string{"find <name>"}},
		{name: "activate failure names the key", fail: "activate", wantErr: "activate key k-new1: down",
			wantCalls: []string{"find <name>", "create <name>", "find <name>", "activate k-new1"}},
		{name: "test failure names the key", fail: "test", wantErr: "test key k-new1: down",
			wantCalls: []string{"find <name>", "create <name>", "find <name>", "activate k-new1", "test k-new1"}},
		{name: "a pending value without a key is refused", pending: `{"endpoint":"x"}`, wantErr: "holds no key",
			wantCalls: []string{"find <name>", "create <name>"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sec := env.CreateSecret(t, fmt.Sprintf("apikey/steps-%02d", i), current)
			f := &fake{names: map[string]string{"k-cur": "operator"}, listed: tt.listed, fail: map[string]error{}}
			if tt.fail != "" {
				f.fail[tt.fail] = errors.New("down")
			}
			s := newStrategy(t, env, admin.ARN, f)
			r := engine.Rotation{SecretARN: sec.ARN, Token: rotatortest.NewToken(), Current: engine.Version{ID: sec.VersionID, Value: []byte(current)}}
			name := apikey.KeyName(r.SecretARN, r.Token)
			for _, id := range tt.orphans {
				f.names[id] = name
			}
			ctx := context.Background()

			v, err := s.Create(ctx, r)
			for _, id := range tt.strays {
				f.names[id] = name
			}
			if err == nil {
				if tt.pending != "" {
					v = []byte(tt.pending)
				}
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
			for _, id := range tt.strays {
				assert.NotContains(t, f.names, id, "the stray key %s is live after Set", id)
			}
		})
	}
}

// TestRevoker checks the grace.Revoker side: a value without a key needs no
// call, and errors name the key.
func TestRevoker(t *testing.T) {
	env := rotatortest.New(t)
	admin := env.CreateSecret(t, "apikey/admin", `{"token":"admin-token"}`)
	ctx := context.Background()

	f := &fake{names: map[string]string{"k-old": "operator"}, fail: map[string]error{}}
	s := newStrategy(t, env, admin.ARN, f)
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
	assert.Equal(t, "revoke key k-old: down", err.Error())
	_, err = s.Active(ctx, old)
	require.Error(t, err)
	assert.Equal(t, "look up key k-old: down", err.Error())
}

func TestNewNeedsItsClients(t *testing.T) {
	env := rotatortest.New(t)
	valid := apikey.Clients{SecretsManager: env.SM, HTTP: http.DefaultClient, Now: time.Now}
	_, err := apikey.New("fake", contract.KeyAPI{AdminSecretARN: "arn:admin"}, &fake{}, valid)
	require.NoError(t, err)
	for name, c := range map[string]apikey.Clients{
		"no clock":       {SecretsManager: env.SM, HTTP: http.DefaultClient},
		"no HTTP client": {SecretsManager: env.SM, Now: time.Now},
	} {
		_, err := apikey.New("fake", contract.KeyAPI{AdminSecretARN: "arn:admin"}, &fake{}, c)
		require.Error(t, err, name)
		assert.Equal(t, "new fake strategy: admin secret ARN, secrets manager, HTTP client and clock are required", err.Error())
	}
	_, err = apikey.New("fake", contract.KeyAPI{}, &fake{}, valid)
	assert.Error(t, err, "no admin secret ARN")
}

func TestBaseURL(t *testing.T) {
	tests := []struct {
		name, url, wantErr string
	}{
		{name: "https", url: "https://keys.example.test/adapter"},
		{name: "loopback http", url: "http://127.0.0.1:8080"},
		{name: "localhost http", url: "http://localhost:8080"},
		{name: "plain http to a remote host", url: "http://keys.example.test",
			wantErr: `base URL "http://keys.example.test" must be https (http only for a loopback host)`},
		{name: "relative", url: "/v1", wantErr: `base URL "/v1" is not an absolute URL`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := apikey.BaseURL(tt.url)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Equal(t, tt.wantErr, err.Error())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.url, u.String())
		})
	}
}
