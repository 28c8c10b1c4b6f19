package rotatortest

import "sync"

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
}

func newStandIn(adminSecret string) standIn {
	return standIn{fail: map[string]int{}, secrets: []string{adminSecret}}
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
