package secretcache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// entry is the cache slot of one secret version. Readers touch only val and
// ref; everything else belongs to the slow path under mu.
type entry struct {
	k   key
	val atomic.Pointer[value]
	// ref is the CLOCK reference bit. It is written only when clear, so
	// that a hot entry's cache line is not bounced between cores by reads.
	ref atomic.Bool

	mu      sync.Mutex
	call    *call     // the fetch in flight, if any
	lastErr error     // the last fetch failure since val was stored
	retryAt time.Time // no background refresh before this, after a failure
	retired bool      // evicted or invalidated: arm no more timers
}

// touch sets the reference bit without writing a set bit again.
func (e *entry) touch() {
	if !e.ref.Load() {
		e.ref.Store(true)
	}
}

// retire stops the entry's refresh timer once it has left the table.
func (e *entry) retire() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.retired = true
	if v := e.val.Load(); v != nil && v.stop != nil {
		v.stop()
	}
}

// value is one fetched version. Apart from the two atomics it never changes
// after it is published, so a reader needs no lock to use it.
type value struct {
	str       string
	bin       []byte
	hasString bool
	versionID string

	fetchStart time.Time // when the call that produced it began
	refreshAt  time.Time // the refresh window opens
	expiresAt  time.Time // TTL + jitter after fetchStart

	// due is set by a timer when the refresh window opens; a set flag sends
	// readers to the slow path, which reads the clock.
	due     atomic.Bool
	decoded atomic.Pointer[decoded]
	stop    func() bool // stops the timer that sets due
}

// decoded holds the last JSON decoding of a value, boxed so that a typed
// getter can check its type with one assertion.
type decoded struct{ v any }

// call is one GetSecretValue in flight, shared by everyone who waits for it.
type call struct {
	done  chan struct{}
	start time.Time
	val   *value
	err   error
}

// startCall begins a fetch for e; e.mu must be held. The fetch is detached
// from the caller's cancellation (other readers may be waiting for it) but
// keeps its values and is bounded by FetchTimeout.
func (c *Cache) startCall(ctx context.Context, e *entry, now time.Time) *call {
	cl := &call{done: make(chan struct{}), start: now}
	e.call = cl
	c.fetches.Add(1)
	go c.run(context.WithoutCancel(ctx), e, cl)
	return cl
}

// run performs the fetch and publishes its outcome.
func (c *Cache) run(ctx context.Context, e *entry, cl *call) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.FetchTimeout)
	out, err := c.client.GetSecretValue(ctx, e.k.input())
	cancel()
	var nv *value
	if err == nil {
		nv, err = c.newValue(out, cl.start)
	}
	switch {
	case errors.Is(err, errPlaceholder):
		err = fmt.Errorf("secret %s has %w: its first rotation, or an operator's first put, writes it", e.k.id, ErrNoValueYet)
		c.fetchErrors.Add(1)
	case err != nil:
		// The SDK's errors carry the request, never the secret's value.
		err = fmt.Errorf("get secret value %s: %w", e.k.id, err)
		c.fetchErrors.Add(1)
	}

	e.mu.Lock()
	e.call = nil
	refreshing := e.val.Load() != nil
	if err != nil {
		e.lastErr = err
		e.retryAt = c.clock.Now().Add(c.opts.RetryInterval)
	} else {
		e.lastErr = nil
		e.retryAt = time.Time{}
		old := e.val.Load()
		if old != nil {
			if old.stop != nil {
				old.stop()
			}
			// Reuse the decoded JSON only for the very same value: a binary
			// secret has no string to compare, so its bytes decide.
			if old.hasString == nv.hasString && old.str == nv.str && bytes.Equal(old.bin, nv.bin) {
				nv.decoded.Store(old.decoded.Load())
			}
		}
		if !e.retired {
			nv.stop = c.clock.AfterFunc(nv.refreshAt.Sub(c.clock.Now()), func() { nv.due.Store(true) })
		}
		e.val.Store(nv)
	}
	cl.val, cl.err = nv, err
	e.mu.Unlock()
	close(cl.done)

	// A failed miss reaches its readers as their error; a failed refresh is
	// hidden behind the cached value, so the hook is its only witness.
	if err != nil && refreshing && c.opts.OnRefreshError != nil {
		c.opts.OnRefreshError(e.k.id, e.k.v, err)
	}
}

// errPlaceholder is newValue's answer to a placeholder, which run turns into
// ErrNoValueYet with the secret's name.
var errPlaceholder = errors.New("placeholder")

// newValue turns an API answer into a value with its deadlines.
func (c *Cache) newValue(out *secretsmanager.GetSecretValueOutput, start time.Time) (*value, error) {
	v := &value{fetchStart: start, versionID: aws.ToString(out.VersionId)}
	switch {
	case out.SecretString != nil && isPlaceholder(*out.SecretString):
		return nil, errPlaceholder
	case out.SecretString != nil:
		v.str, v.hasString = *out.SecretString, true
	case out.SecretBinary != nil:
		v.bin = out.SecretBinary
	default:
		return nil, errors.New("answer has neither SecretString nor SecretBinary")
	}
	v.expiresAt = start.Add(c.opts.TTL + c.jitter(c.opts.TTL/10))
	v.refreshAt = v.expiresAt.Add(-c.opts.RefreshAhead)
	return v, nil
}
