package rotatortest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// KeyAPI plays a provider that follows docs/http-key-contract.md, for the
// http strategy: admin calls need the admin bearer token, a key's secret is
// shown once (on create), list and get never return it, deleted keys are gone
// (404), whoami accepts an active key only. Its operations, by the names
// FailOn takes: list, create, get, activate, delete, whoami.
type KeyAPI struct {
	// URL is the base URL, on 127.0.0.1.
	URL string
	// AdminToken is the bearer token of admin calls.
	AdminToken string

	standIn
	keys map[string]*APIKey
	next int
}

// APIKey is a key the KeyAPI holds.
type APIKey struct {
	ID, Name, Secret string
	Active           bool
}

// NewKeyAPI starts a KeyAPI for the test (stopped at cleanup).
func NewKeyAPI(t testing.TB) *KeyAPI {
	admin := "admin-token-" + randomHex(12)
	p := &KeyAPI{AdminToken: admin, standIn: newStandIn(admin), keys: map[string]*APIKey{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/keys", p.adminOnly("list", p.list))
	mux.HandleFunc("POST /v1/keys", p.adminOnly("create", p.create))
	mux.HandleFunc("GET /v1/keys/{id}", p.adminOnly("get", p.get))
	mux.HandleFunc("POST /v1/keys/{id}/activate", p.adminOnly("activate", p.activate))
	mux.HandleFunc("DELETE /v1/keys/{id}", p.adminOnly("delete", p.delete))
	mux.HandleFunc("GET /v1/whoami", p.whoami)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// AdminValue is the admin secret's value for this provider.
func (p *KeyAPI) AdminValue() string { return `{"adminToken":"` + p.AdminToken + `"}` }

// AddKey puts an existing key in place, as an operator's first key would be.
func (p *KeyAPI) AddKey(id string, active bool) APIKey {
	p.mu.Lock()
	defer p.mu.Unlock()
	k := &APIKey{ID: id, Name: "operator-" + id, Secret: "apikey-secret-" + randomHex(12), Active: active}
	p.keys[id] = k
	p.secrets = append(p.secrets, k.Secret)
	return *k
}

// Key returns key id and whether the provider still has it.
func (p *KeyAPI) Key(id string) (APIKey, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	k, ok := p.keys[id]
	if !ok {
		return APIKey{}, false
	}
	return *k, true
}

// Has reports whether the provider still knows key id.
func (p *KeyAPI) Has(id string) bool {
	_, ok := p.Key(id)
	return ok
}

// Accepts reports whether key id exists, is active and has secret, as
// whoami would answer.
func (p *KeyAPI) Accepts(id, secret string) bool {
	k, ok := p.Key(id)
	return ok && k.Active && k.Secret == secret
}

// injected answers an injected failure.
func (p *KeyAPI) injected(w http.ResponseWriter, op string) bool {
	status, ok := p.fail[op]
	if !ok {
		return false
	}
	http.Error(w, `{"error":"injected","debug":"`+strings.Join(p.secrets, ",")+`"}`, status)
	return true
}

func (p *KeyAPI) adminOnly(op string, h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p.before(op)
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.injected(w, op) {
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+p.AdminToken {
			http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
		h(w, r)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func meta(k *APIKey) map[string]string {
	status := "inactive"
	if k.Active {
		status = "active"
	}
	return map[string]string{"id": k.ID, "name": k.Name, "status": status}
}

func (p *KeyAPI) list(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	keys := []map[string]string{}
	for _, k := range p.keys {
		if name == "" || k.Name == name {
			keys = append(keys, meta(k))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": keys})
}

func (p *KeyAPI) create(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Name == "" {
		http.Error(w, `{"error":"name required"}`, http.StatusBadRequest)
		return
	}
	for _, k := range p.keys {
		if k.Name == in.Name {
			http.Error(w, `{"error":"name taken"}`, http.StatusConflict)
			return
		}
	}
	p.next++
	k := &APIKey{ID: fmt.Sprintf("key-%03d", p.next), Name: in.Name, Secret: "apikey-secret-" + randomHex(12)}
	p.keys[k.ID] = k
	p.secrets = append(p.secrets, k.Secret)
	out := meta(k)
	out["apiKey"] = k.Secret
	writeJSON(w, http.StatusCreated, out)
}

func (p *KeyAPI) get(w http.ResponseWriter, r *http.Request) {
	k, ok := p.keys[r.PathValue("id")]
	if !ok {
		http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
		return
	}
	writeJSON(w, http.StatusOK, meta(k))
}

func (p *KeyAPI) activate(w http.ResponseWriter, r *http.Request) {
	k, ok := p.keys[r.PathValue("id")]
	if !ok {
		http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
		return
	}
	k.Active = true
	writeJSON(w, http.StatusOK, meta(k))
}

func (p *KeyAPI) delete(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, ok := p.keys[id]; !ok {
		http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
		return
	}
	delete(p.keys, id)
	p.deleted = append(p.deleted, id)
	w.WriteHeader(http.StatusNoContent)
}

func (p *KeyAPI) whoami(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.injected(w, "whoami") {
		return
	}
	for _, k := range p.keys {
		if k.Active && r.Header.Get("Authorization") == "Bearer "+k.Secret {
			writeJSON(w, http.StatusOK, map[string]string{"keyId": k.ID})
			return
		}
	}
	http.Error(w, `{"error":"unauthorized","presented":"`+r.Header.Get("Authorization")+`"}`, http.StatusUnauthorized)
}

// randomHex returns n random bytes in hex, for ids and test secrets.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails: see crypto/rand.Read.
	return hex.EncodeToString(b)
}
