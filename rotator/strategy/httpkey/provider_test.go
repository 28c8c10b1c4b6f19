package httpkey

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Operations of the key-management contract, as the fake provider names them
// for failure injection and call records.
const (
	opList     = "list"
	opCreate   = "create"
	opGet      = "get"
	opActivate = "activate"
	opDelete   = "delete"
	opWhoami   = "whoami"
)

// fakeKey is a key held by the fake provider.
type fakeKey struct {
	id, name, secret string
	active           bool
}

// fakeProvider plays a provider that follows docs/http-key-contract.md: admin
// calls need the admin bearer token, secrets are shown once (on create), list
// and get never return them, deleted keys are gone (404), whoami accepts an
// active key only.
type fakeProvider struct {
	mu      sync.Mutex
	admin   string
	keys    map[string]*fakeKey
	next    int
	fail    map[string]int // op -> status to answer instead
	calls   []string
	deleted []string
	issued  []string // every key secret ever shown
}

// newFakeProvider starts the provider on 127.0.0.1 for the test.
func newFakeProvider(t *testing.T) (*fakeProvider, *httptest.Server) {
	p := &fakeProvider{admin: "admin-token-" + randHex(), keys: map[string]*fakeKey{}, fail: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/keys", p.adminOnly(opList, p.list))
	mux.HandleFunc("POST /v1/keys", p.adminOnly(opCreate, p.create))
	mux.HandleFunc("GET /v1/keys/{id}", p.adminOnly(opGet, p.get))
	mux.HandleFunc("POST /v1/keys/{id}/activate", p.adminOnly(opActivate, p.activate))
	mux.HandleFunc("DELETE /v1/keys/{id}", p.adminOnly(opDelete, p.delete))
	mux.HandleFunc("GET /v1/whoami", p.whoami)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return p, srv
}

func randHex() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// injected answers an injected failure, with a body that echoes every secret
// the provider knows: the client must never copy a body into an error.
func (p *fakeProvider) injected(w http.ResponseWriter, op string) bool {
	status, ok := p.fail[op]
	if !ok {
		return false
	}
	http.Error(w, `{"error":"injected","debug":"`+strings.Join(p.secretsLocked(), ",")+`"}`, status)
	return true
}

func (p *fakeProvider) adminOnly(op string, h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.calls = append(p.calls, op)
		if p.injected(w, op) {
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+p.admin {
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

func meta(k *fakeKey) map[string]string {
	status := "inactive"
	if k.active {
		status = "active"
	}
	return map[string]string{"id": k.id, "name": k.name, "status": status}
}

func (p *fakeProvider) list(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	keys := []map[string]string{}
	for _, k := range p.keys {
		if name == "" || k.name == name {
			keys = append(keys, meta(k))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": keys})
}

func (p *fakeProvider) create(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Name == "" {
		http.Error(w, `{"error":"name required"}`, http.StatusBadRequest)
		return
	}
	for _, k := range p.keys {
		if k.name == in.Name {
			http.Error(w, `{"error":"name taken"}`, http.StatusConflict)
			return
		}
	}
	p.next++
	k := &fakeKey{id: fmt.Sprintf("key-%03d", p.next), name: in.Name, secret: "apikey-secret-" + randHex()}
	p.keys[k.id] = k
	p.issued = append(p.issued, k.secret)
	out := meta(k)
	out["apiKey"] = k.secret
	writeJSON(w, http.StatusCreated, out)
}

func (p *fakeProvider) get(w http.ResponseWriter, r *http.Request) {
	k, ok := p.keys[r.PathValue("id")]
	if !ok {
		http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
		return
	}
	writeJSON(w, http.StatusOK, meta(k))
}

func (p *fakeProvider) activate(w http.ResponseWriter, r *http.Request) {
	k, ok := p.keys[r.PathValue("id")]
	if !ok {
		http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
		return
	}
	k.active = true
	writeJSON(w, http.StatusOK, meta(k))
}

func (p *fakeProvider) delete(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, ok := p.keys[id]; !ok {
		http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
		return
	}
	delete(p.keys, id)
	p.deleted = append(p.deleted, id)
	w.WriteHeader(http.StatusNoContent)
}

func (p *fakeProvider) whoami(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, opWhoami)
	if p.injected(w, opWhoami) {
		return
	}
	for _, k := range p.keys {
		if k.active && r.Header.Get("Authorization") == "Bearer "+k.secret {
			writeJSON(w, http.StatusOK, map[string]string{"keyId": k.id})
			return
		}
	}
	http.Error(w, `{"error":"unauthorized","presented":"`+r.Header.Get("Authorization")+`"}`, http.StatusUnauthorized)
}

// addKey puts an existing key in place, as an operator's first key would be.
func (p *fakeProvider) addKey(id string, active bool) *fakeKey {
	p.mu.Lock()
	defer p.mu.Unlock()
	k := &fakeKey{id: id, name: "operator-" + id, secret: "apikey-secret-" + randHex(), active: active}
	p.keys[id] = k
	p.issued = append(p.issued, k.secret)
	return k
}

// secrets returns every secret the provider knows or knew, to check that none
// leaks into an error.
func (p *fakeProvider) secrets() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.secretsLocked()
}

func (p *fakeProvider) secretsLocked() []string {
	return append([]string{p.admin}, p.issued...)
}

func (p *fakeProvider) key(id string) (fakeKey, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	k, ok := p.keys[id]
	if !ok {
		return fakeKey{}, false
	}
	return *k, true
}

func (p *fakeProvider) isActive(id string) bool {
	k, ok := p.key(id)
	return ok && k.active
}

func (p *fakeProvider) keysNamed(name string) []fakeKey {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []fakeKey
	for _, k := range p.keys {
		if k.name == name {
			out = append(out, *k)
		}
	}
	return out
}

func (p *fakeProvider) deletedKeys() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.deleted...)
}

func (p *fakeProvider) failOn(op string, status int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fail[op] = status
}
