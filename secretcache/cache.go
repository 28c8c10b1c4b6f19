package secretcache

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Staging labels that Secrets Manager and its rotation protocol use.
const (
	StageCurrent  = "AWSCURRENT"
	StagePending  = "AWSPENDING"
	StagePrevious = "AWSPREVIOUS"
)

// ErrNoString is returned by the string getters for a secret that holds only
// SecretBinary.
var ErrNoString = errors.New("secret has no SecretString")

// API is the one Secrets Manager call the cache makes; *secretsmanager.Client
// satisfies it. Declaring it here keeps tests to a one-method stub.
type API interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// Version selects one version of a secret by staging label (Stage) or version
// ID (ID). The zero Version is AWSCURRENT.
type Version struct {
	Stage string
	ID    string
}

// isCurrent reports whether v is the default version, which lives in the
// table's fast map.
func (v Version) isCurrent() bool {
	return v.ID == "" && (v.Stage == "" || v.Stage == StageCurrent)
}

// key identifies one cached secret version.
type key struct {
	id string
	v  Version
}

// table is an immutable snapshot of the entries, replaced as a whole under
// Cache.mu, so that readers never lock. The default version has its own map
// keyed by the bare secret ID because hashing one string is the cheapest
// lookup there is.
type table struct {
	cur   map[string]*entry
	other map[key]*entry
}

func (t *table) find(id string, v Version) *entry {
	if v.isCurrent() {
		return t.cur[id]
	}
	return t.other[key{id, v}]
}

// Stats are counters of the slow paths; hits are not counted because a
// shared counter would be the one write every reader makes.
type Stats struct {
	// Fetches is the number of GetSecretValue calls made.
	Fetches uint64
	// FetchErrors is the number of those calls that failed.
	FetchErrors uint64
	// StaleServed is the number of reads answered with an expired value
	// because a refresh was running or had failed.
	StaleServed uint64
	// Evictions is the number of entries dropped to stay within MaxEntries.
	Evictions uint64
}

// Cache caches secret values in memory. It is safe for concurrent use and owns
// no goroutine, so it needs no Close.
type Cache struct {
	client API
	opts   Options
	clock  Clock
	exact  bool // Options.ExactExpiry, copied next to the hot fields
	// jitter returns a uniform random duration in [0, max]; tests replace it.
	jitter func(max time.Duration) time.Duration

	tab atomic.Pointer[table]

	mu   sync.Mutex // guards ring, hand and every table swap
	ring []*entry   // CLOCK ring; len(ring) == number of entries
	hand int

	fetches, fetchErrors, staleServed, evictions atomic.Uint64
}

// New returns a cache that reads through client. Each optFn edits the
// defaults (see Options).
func New(client API, optFns ...func(*Options)) (*Cache, error) {
	if client == nil {
		return nil, errors.New("new secret cache: client is nil")
	}
	o := defaultOptions(os.Getenv)
	for _, fn := range optFns {
		fn(&o)
	}
	if err := o.validate(); err != nil {
		return nil, fmt.Errorf("new secret cache: %w", err)
	}
	c := &Cache{
		client: client,
		opts:   o,
		clock:  o.Clock,
		exact:  o.ExactExpiry,
		jitter: func(max time.Duration) time.Duration {
			return time.Duration(rand.Int64N(int64(max) + 1))
		},
	}
	c.tab.Store(&table{cur: map[string]*entry{}, other: map[key]*entry{}})
	return c, nil
}

// Options returns the effective options, defaults filled in.
func (c *Cache) Options() Options { return c.opts }

// Stats returns the slow-path counters.
func (c *Cache) Stats() Stats {
	return Stats{
		Fetches:     c.fetches.Load(),
		FetchErrors: c.fetchErrors.Load(),
		StaleServed: c.staleServed.Load(),
		Evictions:   c.evictions.Load(),
	}
}

// GetString returns the AWSCURRENT SecretString of secretID.
func (c *Cache) GetString(ctx context.Context, secretID string) (string, error) {
	// The hit path is written out here, not shared, so that it stays a
	// handful of loads: snapshot, map, value, flag, reference bit.
	if e := c.tab.Load().cur[secretID]; e != nil {
		if v := e.val.Load(); v != nil && !v.due.Load() && v.hasString && (!c.exact || c.fresh(v)) {
			if !e.ref.Load() {
				e.ref.Store(true)
			}
			return v.str, nil
		}
	}
	return c.GetStringVersion(ctx, secretID, Version{})
}

// GetStringVersion returns the SecretString of one version of secretID.
func (c *Cache) GetStringVersion(ctx context.Context, secretID string, ver Version) (string, error) {
	v, err := c.value(ctx, secretID, ver)
	if err != nil {
		return "", err
	}
	if !v.hasString {
		return "", fmt.Errorf("get secret %s: %w", secretID, ErrNoString)
	}
	return v.str, nil
}

// GetBytes returns the AWSCURRENT SecretBinary of secretID, or its
// SecretString as bytes. The slice is the caller's own copy.
func (c *Cache) GetBytes(ctx context.Context, secretID string) ([]byte, error) {
	return c.GetBytesVersion(ctx, secretID, Version{})
}

// GetBytesVersion is GetBytes for one version of secretID.
func (c *Cache) GetBytesVersion(ctx context.Context, secretID string, ver Version) ([]byte, error) {
	v, err := c.value(ctx, secretID, ver)
	if err != nil {
		return nil, err
	}
	if v.hasString {
		return []byte(v.str), nil
	}
	return slices.Clone(v.bin), nil
}

// fresh reports, by the clock, whether v's refresh window is still closed;
// with ExactExpiry it backs up the timer that sets v.due.
func (c *Cache) fresh(v *value) bool {
	return c.clock.Now().Before(v.refreshAt)
}

// value returns the cached value of one version, reading through on a miss.
func (c *Cache) value(ctx context.Context, id string, ver Version) (*value, error) {
	if e := c.tab.Load().find(id, ver); e != nil {
		if v := e.val.Load(); v != nil && !v.due.Load() && (!c.exact || c.fresh(v)) {
			e.touch()
			return v, nil
		}
	}
	return c.slow(ctx, c.entryFor(key{id, ver}))
}

// slow handles a value that is missing or whose refresh window is open.
func (c *Cache) slow(ctx context.Context, e *entry) (*value, error) {
	e.touch()
	v := e.val.Load()
	now := c.clock.Now()
	if v == nil || !now.Before(v.expiresAt.Add(c.opts.MaxStale)) {
		// No usable value. A fetch that just failed is answered with its
		// error until RetryInterval passes, so that a missing secret or an
		// outage costs one call per interval, not one per read.
		e.mu.Lock()
		err, backoff := e.lastErr, e.call == nil && e.lastErr != nil && now.Before(e.retryAt)
		e.mu.Unlock()
		if backoff {
			return nil, err
		}
		return c.wait(ctx, e, time.Time{}, true)
	}
	switch {
	case now.Before(v.refreshAt):
		return v, nil
	case now.Before(v.expiresAt):
		c.refreshInBackground(ctx, e, now)
		return v, nil
	default: // expired, within MaxStale
		e.mu.Lock()
		troubled := e.call != nil || e.lastErr != nil
		e.mu.Unlock()
		if !troubled {
			// Nobody read it during the refresh window: it is expired,
			// not failing, so this reader waits for a fresh value.
			nv, err := c.wait(ctx, e, time.Time{}, true)
			if err == nil {
				return nv, nil
			}
		} else {
			c.refreshInBackground(ctx, e, now)
		}
		c.staleServed.Add(1)
		return v, nil
	}
}

// refreshInBackground starts a fetch unless one is running or the last one
// failed less than RetryInterval ago.
func (c *Cache) refreshInBackground(ctx context.Context, e *entry, now time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.call == nil && !now.Before(e.retryAt) {
		c.startCall(ctx, e, now)
	}
}

// wait returns a value fetched no earlier than notBefore, joining a running
// fetch or starting one; force ignores the value already held. Readers that
// arrive together share one GetSecretValue call.
func (c *Cache) wait(ctx context.Context, e *entry, notBefore time.Time, force bool) (*value, error) {
	for {
		e.mu.Lock()
		if v := e.val.Load(); !force && v != nil && !v.fetchStart.Before(notBefore) {
			e.mu.Unlock()
			return v, nil
		}
		cl := e.call
		if cl == nil {
			cl = c.startCall(ctx, e, c.clock.Now())
		}
		e.mu.Unlock()
		select {
		case <-cl.done:
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for secret %s: %w", e.k.id, ctx.Err())
		}
		// A fetch that began before notBefore may predate what the caller
		// has seen (a refused password); wait for a newer one.
		if cl.err == nil && cl.start.Before(notBefore) {
			force = false
			continue
		}
		return cl.val, cl.err
	}
}

// entryFor returns the entry for k, inserting an empty one (and evicting
// another when full) if there is none.
func (c *Cache) entryFor(k key) *entry {
	if e := c.tab.Load().find(k.id, k.v); e != nil {
		return e
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.tab.Load()
	if e := old.find(k.id, k.v); e != nil {
		return e
	}
	e := &entry{k: k}
	next := &table{cur: maps.Clone(old.cur), other: maps.Clone(old.other)}
	if len(c.ring) >= c.opts.MaxEntries {
		victim := c.sweep()
		next.remove(victim.k)
		victim.retire()
		c.evictions.Add(1)
		c.ring[c.hand] = e
		c.hand = (c.hand + 1) % len(c.ring)
	} else {
		c.ring = append(c.ring, e)
	}
	next.put(e)
	c.tab.Store(next)
	return e
}

// sweep advances the CLOCK hand to the first entry whose reference bit is
// clear, clearing the bits it passes, and returns it with the hand on it.
// Readers may set bits again behind the hand, so after two full turns it
// takes whatever entry the hand is on rather than spin.
func (c *Cache) sweep() *entry {
	for range 2 * len(c.ring) {
		e := c.ring[c.hand]
		if !e.ref.Load() {
			return e
		}
		e.ref.Store(false)
		c.hand = (c.hand + 1) % len(c.ring)
	}
	return c.ring[c.hand]
}

func (t *table) put(e *entry) {
	if e.k.v.isCurrent() {
		t.cur[e.k.id] = e
		return
	}
	t.other[e.k] = e
}

func (t *table) remove(k key) {
	if k.v.isCurrent() {
		delete(t.cur, k.id)
		return
	}
	delete(t.other, k)
}

// Invalidate drops every cached version of secretID; the next read fetches.
func (c *Cache) Invalidate(secretID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.tab.Load()
	next := &table{cur: maps.Clone(old.cur), other: maps.Clone(old.other)}
	kept := c.ring[:0]
	for i, e := range c.ring {
		if e.k.id != secretID {
			kept = append(kept, e)
			continue
		}
		if i < c.hand {
			c.hand--
		}
		next.remove(e.k)
		e.retire()
	}
	clear(c.ring[len(kept):])
	c.ring = kept
	if c.hand >= len(c.ring) {
		c.hand = 0
	}
	c.tab.Store(next)
}

// Refresh fetches one version of secretID now, whatever its age, and returns
// it. Concurrent calls share one GetSecretValue (a call already in flight
// counts as now). On failure the cached value
// stays in place.
func (c *Cache) Refresh(ctx context.Context, secretID string, ver Version) (string, error) {
	e := c.entryFor(key{secretID, ver})
	e.touch()
	v, err := c.wait(ctx, e, time.Time{}, true)
	if err != nil {
		return "", err
	}
	if !v.hasString {
		return "", fmt.Errorf("refresh secret %s: %w", secretID, ErrNoString)
	}
	return v.str, nil
}

// RefreshRejected is the hook for a refused credential: call it with the
// value that the downstream service rejected. If the cache has already moved
// on it returns the newer value without a call; otherwise it refetches,
// unless it fetched within MinRefreshInterval, and returns what it has. The
// caller retries only if the returned value differs from rejected.
func (c *Cache) RefreshRejected(ctx context.Context, secretID string, ver Version, rejected string) (string, error) {
	cached, err := c.GetStringVersion(ctx, secretID, ver)
	if err != nil {
		return "", err
	}
	if cached != rejected {
		return cached, nil
	}
	v, err := c.refreshSince(ctx, secretID, ver, c.clock.Now().Add(-c.opts.MinRefreshInterval))
	if err != nil {
		return "", err
	}
	if !v.hasString {
		return "", fmt.Errorf("refresh secret %s: %w", secretID, ErrNoString)
	}
	return v.str, nil
}

// RefreshSince returns the SecretString of a value whose fetch began at or
// after notBefore (a time of the cache's Clock), fetching one if the cached
// value is older. It is what a connector calls after a login that started at
// notBefore was refused: every refused login of a burst is answered by the
// one fetch that began after them.
func (c *Cache) RefreshSince(ctx context.Context, secretID string, ver Version, notBefore time.Time) (string, error) {
	v, err := c.refreshSince(ctx, secretID, ver, notBefore)
	if err != nil {
		return "", err
	}
	if !v.hasString {
		return "", fmt.Errorf("refresh secret %s: %w", secretID, ErrNoString)
	}
	return v.str, nil
}

func (c *Cache) refreshSince(ctx context.Context, secretID string, ver Version, notBefore time.Time) (*value, error) {
	e := c.entryFor(key{secretID, ver})
	e.touch()
	return c.wait(ctx, e, notBefore, false)
}

// Warm fetches the AWSCURRENT value of each secret, WarmConcurrency at a time,
// so that a service can fail fast at startup and serve its first requests
// from memory. It returns every failure, joined.
func (c *Cache) Warm(ctx context.Context, secretIDs ...string) error {
	sem := make(chan struct{}, c.opts.WarmConcurrency)
	errs := make([]error, len(secretIDs))
	var wg sync.WaitGroup
	for i, id := range secretIDs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if _, err := c.value(ctx, id, Version{}); err != nil {
				errs[i] = fmt.Errorf("warm %s: %w", id, err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// input builds the request for k. The stage is always sent, AWSCURRENT
// included, because moto (and any cache in front of the API) may otherwise
// answer with a version that is no longer current.
func (k key) input() *secretsmanager.GetSecretValueInput {
	in := &secretsmanager.GetSecretValueInput{SecretId: aws.String(k.id)}
	switch {
	case k.v.ID != "":
		in.VersionId = aws.String(k.v.ID)
		if k.v.Stage != "" {
			in.VersionStage = aws.String(k.v.Stage)
		}
	case k.v.Stage == "":
		in.VersionStage = aws.String(StageCurrent)
	default:
		in.VersionStage = aws.String(k.v.Stage)
	}
	return in
}
