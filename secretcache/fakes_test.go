package secretcache

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// fakeClock is a manual clock whose timers fire, synchronously, in Advance.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	at   time.Time
	f    func()
	done bool
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		stopped := !t.done
		t.done = true
		return stopped
	}
}

// Advance moves the clock and runs every timer that came due, in order.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []*fakeTimer
	for _, t := range c.timers {
		if !t.done && !t.at.After(c.now) {
			t.done = true
			due = append(due, t)
		}
	}
	c.mu.Unlock()
	for _, t := range due {
		t.f()
	}
}

// stubAPI is an in-memory GetSecretValue that counts its calls and can hold
// them (gate) or fail them (err).
type stubAPI struct {
	mu     sync.Mutex
	values map[string]string // "id/stage" or "id#versionID" → value
	binary map[string][]byte
	err    error
	gate   chan struct{} // when non-nil, calls wait until it is closed
	inputs []secretsmanager.GetSecretValueInput
	calls  atomic.Int64

	inflight, maxInflight atomic.Int64
}

func newStub() *stubAPI {
	return &stubAPI{values: map[string]string{}, binary: map[string][]byte{}}
}

func (s *stubAPI) set(id, stage, v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.values[id+"/"+stage] = v
}

func (s *stubAPI) setErr(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
}

func (s *stubAPI) hold() chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gate = make(chan struct{})
	return s.gate
}

func (s *stubAPI) GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	s.calls.Add(1)
	n := s.inflight.Add(1)
	defer s.inflight.Add(-1)
	for { // record the high-water mark of concurrent calls
		m := s.maxInflight.Load()
		if n <= m || s.maxInflight.CompareAndSwap(m, n) {
			break
		}
	}
	s.mu.Lock()
	s.inputs = append(s.inputs, *in)
	gate := s.gate
	s.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	k := aws.ToString(in.SecretId) + "/" + aws.ToString(in.VersionStage)
	if in.VersionId != nil {
		k = aws.ToString(in.SecretId) + "#" + aws.ToString(in.VersionId)
	}
	if b, ok := s.binary[k]; ok {
		return &secretsmanager.GetSecretValueOutput{SecretBinary: b, VersionId: aws.String("vb")}, nil
	}
	v, ok := s.values[k]
	if !ok {
		return nil, errors.New("ResourceNotFoundException: secret not found")
	}
	return &secretsmanager.GetSecretValueOutput{SecretString: aws.String(v), VersionId: aws.String("v-" + v)}, nil
}

// idle waits until no fetch is in flight for the default version of id, so
// that a test observes a background refresh's outcome without sleeping.
func idle(c *Cache, id string, v Version) {
	e := c.tab.Load().find(id, v)
	if e == nil {
		return
	}
	e.mu.Lock()
	cl := e.call
	e.mu.Unlock()
	if cl != nil {
		<-cl.done
	}
}
