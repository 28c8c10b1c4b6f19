package rotatortest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Twilio plays Twilio's REST API v2010 for one account, following its
// documented shapes: basic auth with the account SID and auth token or a Main
// key for /Keys; Standard keys may not manage keys but may read the balance;
// create answers 201 with the secret, which no other call returns; friendly
// names need not be unique; lists page through next_page_uri, two keys a
// page; errors are {"code","message","more_info","status"}. Its operations,
// by the names FailOn takes: list, create, fetch, delete, balance.
type Twilio struct {
	// URL is the base URL, on 127.0.0.1 (https://api.twilio.com in production).
	URL string
	// Account is the account SID; AuthToken its auth token.
	Account, AuthToken string

	standIn
	keys      map[string]*TwilioKey
	pageSize  int
	listCalls int
	seq       int
	// balanceAccount, when set, is the account_sid Balance.json reports.
	balanceAccount string
}

// TwilioKey is a Key resource the fake holds.
type TwilioKey struct {
	SID, Name, Secret string
	// Main marks a Main key, made in the console, which may manage keys.
	Main    bool
	created time.Time
	seq     int // creation order, the order lists answer in
}

// TwilioSID returns a random SID with prefix ("AC", "SK").
func TwilioSID(prefix string) string { return prefix + randomHex(16) }

// NewTwilio starts the fake for the test (stopped at cleanup).
func NewTwilio(t testing.TB) *Twilio {
	token := randomHex(16)
	f := &Twilio{
		Account: TwilioSID("AC"), AuthToken: token, standIn: newStandIn(token),
		keys: map[string]*TwilioKey{}, pageSize: 2,
	}
	mux := http.NewServeMux()
	base := "/2010-04-01/Accounts/{account}"
	mux.HandleFunc("GET "+base+"/Keys.json", f.handle("list", true, f.list))
	mux.HandleFunc("POST "+base+"/Keys.json", f.handle("create", true, f.create))
	mux.HandleFunc("GET "+base+"/Keys/{sid}", f.handle("fetch", true, f.fetch))
	mux.HandleFunc("DELETE "+base+"/Keys/{sid}", f.handle("delete", true, f.delete))
	mux.HandleFunc("GET "+base+"/Balance.json", f.handle("balance", false, f.balance))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// AdminValue is the admin secret's value holding the account's auth token.
func (f *Twilio) AdminValue() string {
	return `{"accountSid":"` + f.Account + `","authToken":"` + f.AuthToken + `"}`
}

// Value is a rotated secret's value holding key k, with a field an operator
// keeps beside it.
func (f *Twilio) Value(k TwilioKey) string {
	return `{"accountSid":"` + f.Account + `","apiKeySid":"` + k.SID + `","apiKeySecret":"` + k.Secret + `","messagingServiceSid":"MG0"}`
}

// AddKey adds a key an operator made in the console.
func (f *Twilio) AddKey(name string, main bool) TwilioKey {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	k := &TwilioKey{SID: TwilioSID("SK"), Name: name, Secret: randomHex(16), Main: main, created: time.Now().UTC(), seq: f.seq}
	f.keys[k.SID] = k
	f.secrets = append(f.secrets, k.Secret)
	return *k
}

// Has reports whether key sid exists.
func (f *Twilio) Has(sid string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.keys[sid] != nil
}

// Accepts reports whether key sid exists with secret, as Twilio's basic auth
// would answer.
func (f *Twilio) Accepts(sid, secret string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := f.keys[sid]
	return k != nil && k.Secret == secret
}

// Named returns the keys whose FriendlyName is name.
func (f *Twilio) Named(name string) []TwilioKey {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []TwilioKey
	for _, k := range f.keys {
		if k.Name == name {
			out = append(out, *k)
		}
	}
	return out
}

// SetPageSize sets the most keys a list page answers (2 by default, so that
// a few keys already page; Twilio's own default is 50). A stand-in shared by
// many rotations holds more keys than 2 a page times the strategy's page
// bound.
func (f *Twilio) SetPageSize(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pageSize = n
}

// Lists returns how many list pages were asked for.
func (f *Twilio) Lists() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.listCalls
}

// ReportBalanceOf makes Balance.json report account instead of the fake's,
// as a key that authenticates somewhere unexpected would see.
func (f *Twilio) ReportBalanceOf(account string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.balanceAccount = account
}

// twilioError writes Twilio's error shape.
func twilioError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"code": code, "message": msg, "more_info": "https://www.twilio.com/docs/errors/" + strconv.Itoa(code), "status": status,
	})
}

// handle authenticates and routes one operation; manage marks the /Keys
// endpoints, which a Standard key may not call.
func (f *Twilio) handle(op string, manage bool, h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.before(op)
		f.mu.Lock()
		defer f.mu.Unlock()
		if op == "list" {
			f.listCalls++
		}
		if status, ok := f.fail[op]; ok {
			twilioError(w, status, 20500, "injected failure; known secrets: "+strings.Join(f.secrets, ","))
			return
		}
		if r.PathValue("account") != f.Account {
			twilioError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
			return
		}
		user, pass, ok := r.BasicAuth()
		switch {
		case ok && user == f.Account && pass == f.AuthToken:
		case ok && f.keys[user] != nil && f.keys[user].Secret == pass:
			if manage && !f.keys[user].Main {
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

func (f *Twilio) resource(k *TwilioKey) map[string]any {
	d := k.created.Format(time.RFC1123Z)
	return map[string]any{"sid": k.SID, "friendly_name": k.Name, "date_created": d, "date_updated": d}
}

func (f *Twilio) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	size, _ := strconv.Atoi(q.Get("PageSize"))
	if size <= 0 || size > f.pageSize {
		size = f.pageSize
	}
	page, _ := strconv.Atoi(q.Get("Page"))
	all := make([]*TwilioKey, 0, len(f.keys))
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
		return fmt.Sprintf("/2010-04-01/Accounts/%s/Keys.json?PageSize=%d&Page=%d&PageToken=PA%s", f.Account, size, p, randomHex(4))
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

func (f *Twilio) create(w http.ResponseWriter, r *http.Request) {
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
	k := &TwilioKey{SID: TwilioSID("SK"), Name: name, Secret: randomHex(16), created: time.Now().UTC(), seq: f.seq}
	f.keys[k.SID] = k
	f.secrets = append(f.secrets, k.Secret)
	out := f.resource(k)
	out["secret"] = k.Secret
	writeJSON(w, http.StatusCreated, out)
}

func (f *Twilio) keyFromPath(w http.ResponseWriter, r *http.Request) (*TwilioKey, bool) {
	sid, ok := strings.CutSuffix(r.PathValue("sid"), ".json")
	k := f.keys[sid]
	if !ok || k == nil {
		twilioError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
		return nil, false
	}
	return k, true
}

func (f *Twilio) fetch(w http.ResponseWriter, r *http.Request) {
	if k, ok := f.keyFromPath(w, r); ok {
		writeJSON(w, http.StatusOK, f.resource(k))
	}
}

func (f *Twilio) delete(w http.ResponseWriter, r *http.Request) {
	if k, ok := f.keyFromPath(w, r); ok {
		delete(f.keys, k.SID)
		f.deleted = append(f.deleted, k.SID)
		w.WriteHeader(http.StatusNoContent)
	}
}

func (f *Twilio) balance(w http.ResponseWriter, _ *http.Request) {
	account := f.Account
	if f.balanceAccount != "" {
		account = f.balanceAccount
	}
	writeJSON(w, http.StatusOK, map[string]string{"account_sid": account, "balance": "12.34", "currency": "USD"})
}
