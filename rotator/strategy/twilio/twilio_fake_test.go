package twilio

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Operations of Twilio's API that the fake can fail, by name.
const (
	opList    = "list"
	opCreate  = "create"
	opFetch   = "fetch"
	opDelete  = "delete"
	opBalance = "balance"
)

// fakeKey is a Key resource held by the fake.
type fakeKey struct {
	sid, name, secret string
	created           time.Time
	main              bool // a Main key, made in the console, may manage keys
	seq               int  // creation order, the order lists answer in
}

// fakeTwilio plays Twilio's REST API v2010 for one account, following its
// documented shapes: basic auth with the account SID and auth token or a Main
// key for /Keys; Standard keys may not manage keys but may read the balance;
// create answers 201 with the secret, which no other call returns; friendly
// names need not be unique; lists page through next_page_uri; errors are
// {"code","message","more_info","status"}.
type fakeTwilio struct {
	mu        sync.Mutex
	account   string
	authToken string
	keys      map[string]*fakeKey
	pageSize  int // the most keys a page holds, whatever PageSize asks
	fail      map[string]int
	deleted   []string
	issued    []string
	listCalls int
	seq       int
	// balanceAccount, when set, is the account_sid Balance.json reports, to
	// play a key that authenticates somewhere unexpected.
	balanceAccount string
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func newSID(prefix string) string { return prefix + randHex(16) }

// newFakeTwilio starts the fake on 127.0.0.1 for the test.
func newFakeTwilio(t *testing.T) (*fakeTwilio, *httptest.Server) {
	f := &fakeTwilio{
		account: newSID("AC"), authToken: randHex(16),
		keys: map[string]*fakeKey{}, pageSize: 2, fail: map[string]int{},
	}
	mux := http.NewServeMux()
	base := "/2010-04-01/Accounts/{account}"
	mux.HandleFunc("GET "+base+"/Keys.json", f.handle(opList, true, f.list))
	mux.HandleFunc("POST "+base+"/Keys.json", f.handle(opCreate, true, f.create))
	mux.HandleFunc("GET "+base+"/Keys/{sid}", f.handle(opFetch, true, f.fetch))
	mux.HandleFunc("DELETE "+base+"/Keys/{sid}", f.handle(opDelete, true, f.delete))
	mux.HandleFunc("GET "+base+"/Balance.json", f.handle(opBalance, false, f.balance))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return f, srv
}

// twilioError writes Twilio's error shape. Injected failures echo every secret
// the fake knows: the client must never copy a body into an error.
func twilioError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"code": code, "message": msg, "more_info": "https://www.twilio.com/docs/errors/" + strconv.Itoa(code), "status": status,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// handle authenticates and routes one operation; manage marks the /Keys
// endpoints, which a Standard key may not call.
func (f *fakeTwilio) handle(op string, manage bool, h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if op == opList {
			f.listCalls++
		}
		if status, ok := f.fail[op]; ok {
			twilioError(w, status, 20500, "injected failure; known secrets: "+strings.Join(f.secretsLocked(), ","))
			return
		}
		if r.PathValue("account") != f.account {
			twilioError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
			return
		}
		user, pass, ok := r.BasicAuth()
		switch {
		case ok && user == f.account && pass == f.authToken:
		case ok && f.keys[user] != nil && f.keys[user].secret == pass:
			if manage && !f.keys[user].main {
				twilioError(w, http.StatusForbidden, 20003, "a Standard key cannot manage keys")
				return
			}
		default:
			twilioError(w, http.StatusUnauthorized, 20003, "Authenticate: presented "+user+":"+pass)
			return
		}
		h(w, r)
	}
}

func (f *fakeTwilio) resource(k *fakeKey) map[string]any {
	d := k.created.Format(time.RFC1123Z)
	return map[string]any{"sid": k.sid, "friendly_name": k.name, "date_created": d, "date_updated": d}
}

func (f *fakeTwilio) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	size, _ := strconv.Atoi(q.Get("PageSize"))
	if size <= 0 || size > f.pageSize {
		size = f.pageSize
	}
	page, _ := strconv.Atoi(q.Get("Page"))
	all := make([]*fakeKey, 0, len(f.keys))
	for _, k := range f.keys {
		all = append(all, k)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].seq < all[j].seq })
	start := min(page*size, len(all))
	end := min(start+size, len(all))
	keys := []map[string]any{}
	for _, k := range all[start:end] {
		keys = append(keys, f.resource(k))
	}
	uri := func(p int) string {
		return fmt.Sprintf("/2010-04-01/Accounts/%s/Keys.json?PageSize=%d&Page=%d&PageToken=PA%s", f.account, size, p, randHex(4))
	}
	var next any
	if end < len(all) {
		next = uri(page + 1)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"keys": keys, "first_page_uri": uri(0), "next_page_uri": next, "previous_page_uri": nil,
		"page": page, "page_size": size, "start": start, "end": max(end-1, 0), "uri": r.URL.RequestURI(),
	})
}

func (f *fakeTwilio) create(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		twilioError(w, http.StatusBadRequest, 20001, "bad form")
		return
	}
	name := r.PostForm.Get("FriendlyName")
	if len(name) > 64 {
		twilioError(w, http.StatusBadRequest, 20001, "FriendlyName too long")
		return
	}
	f.seq++
	k := &fakeKey{sid: newSID("SK"), name: name, secret: randHex(16), created: time.Now().UTC(), seq: f.seq}
	f.keys[k.sid] = k
	f.issued = append(f.issued, k.secret)
	out := f.resource(k)
	out["secret"] = k.secret
	writeJSON(w, http.StatusCreated, out)
}

func (f *fakeTwilio) keyFromPath(w http.ResponseWriter, r *http.Request) (*fakeKey, bool) {
	sid, ok := strings.CutSuffix(r.PathValue("sid"), ".json")
	k := f.keys[sid]
	if !ok || k == nil {
		twilioError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
		return nil, false
	}
	return k, true
}

func (f *fakeTwilio) fetch(w http.ResponseWriter, r *http.Request) {
	if k, ok := f.keyFromPath(w, r); ok {
		writeJSON(w, http.StatusOK, f.resource(k))
	}
}

func (f *fakeTwilio) delete(w http.ResponseWriter, r *http.Request) {
	if k, ok := f.keyFromPath(w, r); ok {
		delete(f.keys, k.sid)
		f.deleted = append(f.deleted, k.sid)
		w.WriteHeader(http.StatusNoContent)
	}
}

func (f *fakeTwilio) balance(w http.ResponseWriter, _ *http.Request) {
	account := f.account
	if f.balanceAccount != "" {
		account = f.balanceAccount
	}
	writeJSON(w, http.StatusOK, map[string]string{"account_sid": account, "balance": "12.34", "currency": "USD"})
}

// addKey adds a key an operator made in the console.
func (f *fakeTwilio) addKey(name string, main bool) fakeKey {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	k := &fakeKey{sid: newSID("SK"), name: name, secret: randHex(16), created: time.Now().UTC(), main: main, seq: f.seq}
	f.keys[k.sid] = k
	f.issued = append(f.issued, k.secret)
	return *k
}

func (f *fakeTwilio) secrets() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.secretsLocked()
}

func (f *fakeTwilio) secretsLocked() []string { return append([]string{f.authToken}, f.issued...) }

func (f *fakeTwilio) has(sid string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.keys[sid] != nil
}

func (f *fakeTwilio) named(name string) []fakeKey {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeKey
	for _, k := range f.keys {
		if k.name == name {
			out = append(out, *k)
		}
	}
	return out
}

func (f *fakeTwilio) lists() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.listCalls
}

func (f *fakeTwilio) deletedKeys() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.deleted...)
}

func (f *fakeTwilio) failOn(op string, status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail[op] = status
}
