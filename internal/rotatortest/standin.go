package rotatortest

import (
	"strings"
	"sync"
	"testing"
)

// standIn is what both key API stand-ins (KeyAPI, Twilio) keep besides their
// keys: the failures a test injected, the keys deleted, and every secret
// shown, which no rotator error may hold. Its mutex guards the stand-in's
// whole state.
type standIn struct {
	mu      sync.Mutex
	fail    map[string]int // op -> status to answer instead
	deleted []string
	// secrets are the admin credential's secret and every key secret shown.
	secrets []string

	hookMu sync.Mutex
	hooks  map[string]func() // op -> run before the call takes mu
}

func newStandIn(adminSecret string) standIn {
	return standIn{fail: map[string]int{}, secrets: []string{adminSecret}, hooks: map[string]func(){}}
}

// Before runs f at the start of every later call of op, before the stand-in
// takes its lock, so that f may block to order concurrent callers. It
// returns the function that removes f.
func (s *standIn) Before(op string, f func()) (remove func()) {
	s.hookMu.Lock()
	defer s.hookMu.Unlock()
	s.hooks[op] = f
	return func() {
		s.hookMu.Lock()
		defer s.hookMu.Unlock()
		delete(s.hooks, op)
	}
}

// before runs the hook of op, if any.
func (s *standIn) before(op string) {
	s.hookMu.Lock()
	f := s.hooks[op]
	s.hookMu.Unlock()
	if f != nil {
		f()
	}
}

// FailOn makes every later call of op answer status, with a body that echoes
// every secret the stand-in knows: a client must never copy a body into an
// error. It returns the function that lifts the failure.
func (s *standIn) FailOn(op string, status int) (lift func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail[op] = status
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.fail, op)
	}
}

// Deleted returns the ids of the keys deleted so far, in order.
func (s *standIn) Deleted() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.deleted...)
}

// Secrets returns every secret the stand-in knows or knew, to check that none
// leaks into an error.
func (s *standIn) Secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.secrets...)
}

// AssertNotIn fails when err's text holds a secret the stand-in issued. The
// failure does not show the error: it would print the secret.
func (s *standIn) AssertNotIn(t testing.TB, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, secret := range s.Secrets() {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error holds a secret, want none (error not shown: it would print the secret)")
		}
	}
}
