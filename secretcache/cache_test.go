package secretcache

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newTestCache returns a cache on a fake clock with jitter fixed at j.
func newTestCache(t *testing.T, api API, j time.Duration, optFns ...func(*Options)) (*Cache, *fakeClock) {
	t.Helper()
	clk := newFakeClock()
	c, err := New(api, append([]func(*Options){func(o *Options) { o.Clock = clk }}, optFns...)...)
	require.NoError(t, err)
	c.jitter = func(max time.Duration) time.Duration { return min(j, max) }
	return c, clk
}

func TestGetStringMissThenHit(t *testing.T) {
	api := newStub()
	api.set("db", StageCurrent, "s3cr3t")
	c, _ := newTestCache(t, api, 0)

	for i := range 3 {
		got, err := c.GetString(t.Context(), "db")
		require.NoError(t, err)
		assert.Equal(t, "s3cr3t", got, "read %d", i)
	}
	assert.Equal(t, int64(1), api.calls.Load(), "GetSecretValue calls: got %d, want 1", api.calls.Load())
	require.Len(t, api.inputs, 1)
	assert.Equal(t, StageCurrent, aws.ToString(api.inputs[0].VersionStage),
		"AWSCURRENT must be sent explicitly (moto answers a stale version without it)")
}

func TestVersionsAreSeparateEntries(t *testing.T) {
	api := newStub()
	api.set("db", StageCurrent, "cur")
	api.set("db", StagePending, "pend")
	api.set("db", StagePrevious, "prev")
	api.values["db#v-42"] = "by-id"
	c, _ := newTestCache(t, api, 0)

	tests := []struct {
		name      string
		ver       Version
		want      string
		wantStage string
		wantID    string
	}{
		{"zero is current", Version{}, "cur", StageCurrent, ""},
		{"explicit current shares the entry", Version{Stage: StageCurrent}, "cur", StageCurrent, ""},
		{"pending", Version{Stage: StagePending}, "pend", StagePending, ""},
		{"previous", Version{Stage: StagePrevious}, "prev", StagePrevious, ""},
		{"version id", Version{ID: "v-42"}, "by-id", "", "v-42"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.GetStringVersion(t.Context(), "db", tt.ver)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			last := api.inputs[len(api.inputs)-1]
			assert.Equal(t, tt.wantStage, aws.ToString(last.VersionStage), "VersionStage sent")
			assert.Equal(t, tt.wantID, aws.ToString(last.VersionId), "VersionId sent")
		})
	}
	assert.Equal(t, int64(4), api.calls.Load(), "calls: got %d, want 4 (current read twice from one entry)", api.calls.Load())
}

func TestConcurrentMissesMakeOneCall(t *testing.T) {
	api := newStub()
	api.set("db", StageCurrent, "s3cr3t")
	gate := api.hold()
	c, _ := newTestCache(t, api, 0)

	const readers = 100
	var started, wrong atomic.Int64
	var wg sync.WaitGroup
	for range readers {
		wg.Go(func() {
			started.Add(1)
			got, err := c.GetString(t.Context(), "db")
			if err != nil || got != "s3cr3t" {
				wrong.Add(1)
			}
		})
	}
	// The call cannot finish before the gate opens, so every reader that
	// started by then has missed.
	for started.Load() < readers {
		time.Sleep(time.Millisecond)
	}
	close(gate)
	wg.Wait()

	assert.Equal(t, int64(1), api.calls.Load(), "GetSecretValue calls for %d concurrent misses: got %d, want 1", readers, api.calls.Load())
	assert.Zero(t, wrong.Load(), "readers with an error or a wrong value")
}

func TestTTLExpiry(t *testing.T) {
	tests := []struct {
		name   string
		jitter time.Duration
		fresh  time.Duration // still served from memory at this age
		stale  time.Duration // refetched at this age
	}{
		{"no jitter", 0, 5*time.Minute - time.Second, 5 * time.Minute},
		{"full jitter adds TTL/10", 30 * time.Second, 5*time.Minute + 29*time.Second, 5*time.Minute + 30*time.Second},
		{"jitter is capped at TTL/10", time.Hour, 5*time.Minute + 29*time.Second, 5*time.Minute + 30*time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newStub()
			api.set("db", StageCurrent, "v1")
			// No refresh-ahead window that a read could fall into: this
			// test is about expiry alone.
			c, clk := newTestCache(t, api, tt.jitter, func(o *Options) { o.RefreshAhead = time.Nanosecond })
			_, err := c.GetString(t.Context(), "db")
			require.NoError(t, err)
			api.set("db", StageCurrent, "v2")

			clk.Advance(tt.fresh - time.Nanosecond*2)
			got, err := c.GetString(t.Context(), "db")
			require.NoError(t, err)
			assert.Equal(t, "v1", got, "at age %v", tt.fresh)
			assert.Equal(t, int64(1), api.calls.Load(), "calls before expiry")

			clk.Advance(tt.stale - tt.fresh + 2*time.Nanosecond)
			got, err = c.GetString(t.Context(), "db")
			require.NoError(t, err)
			assert.Equal(t, "v2", got, "an expired value that is not failing is refetched, reader waits")
			assert.Equal(t, int64(2), api.calls.Load(), "calls after expiry")
		})
	}
}

func TestBackgroundRefreshKeepsServing(t *testing.T) {
	api := newStub()
	api.set("db", StageCurrent, "v1")
	c, clk := newTestCache(t, api, 0) // TTL 5m, refresh window opens at 4m30s
	_, err := c.GetString(t.Context(), "db")
	require.NoError(t, err)

	api.set("db", StageCurrent, "v2")
	gate := api.hold()
	clk.Advance(4*time.Minute + 31*time.Second)

	// The refresh is held at the gate: readers must still get v1 at once.
	for i := range 3 {
		got, err := c.GetString(t.Context(), "db")
		require.NoError(t, err)
		assert.Equal(t, "v1", got, "read %d during refresh", i)
	}
	assert.Equal(t, uint64(2), c.Stats().Fetches, "one background refresh for three reads in the window")

	// Still held past expiry: a refresh is under way, so readers keep the
	// value instead of queueing behind it.
	clk.Advance(time.Minute)
	got, err := c.GetString(t.Context(), "db")
	require.NoError(t, err)
	assert.Equal(t, "v1", got, "past expiry with a refresh in flight")
	assert.Equal(t, uint64(1), c.Stats().StaleServed, "stale reads")

	close(gate)
	idle(c, "db", Version{})
	got, err = c.GetString(t.Context(), "db")
	require.NoError(t, err)
	assert.Equal(t, "v2", got, "after the refresh")
	assert.Equal(t, int64(2), api.calls.Load(), "no call once refreshed")
}

func TestStaleOnError(t *testing.T) {
	api := newStub()
	api.set("db", StageCurrent, "hunter2")
	var reported []error
	var mu sync.Mutex
	c, clk := newTestCache(t, api, 0, func(o *Options) {
		o.OnRefreshError = func(id string, _ Version, err error) {
			mu.Lock()
			defer mu.Unlock()
			reported = append(reported, err)
		}
	})
	_, err := c.GetString(t.Context(), "db")
	require.NoError(t, err)

	outage := errors.New("ServiceUnavailable: throttled")
	api.setErr(outage)

	steps := []struct {
		name      string
		advance   time.Duration
		want      string
		wantErr   bool
		wantCalls int64
	}{
		{"window opens: refresh fails, value served", 4*time.Minute + 31*time.Second, "hunter2", false, 2},
		{"retry interval not passed: no call", 5 * time.Second, "hunter2", false, 2},
		{"expired during outage: stale served, retried", 30 * time.Second, "hunter2", false, 3},
		{"14 min past expiry: still stale", 14 * time.Minute, "hunter2", false, 4},
		{"past MaxStale: error", time.Minute, "", true, 5},
		{"past MaxStale, within RetryInterval: error, no call", time.Second, "", true, 5},
	}
	for _, s := range steps {
		clk.Advance(s.advance)
		got, err := c.GetString(t.Context(), "db")
		idle(c, "db", Version{})
		if s.wantErr {
			require.Error(t, err, s.name)
			assert.ErrorIs(t, err, outage, s.name)
			// strings.Contains, not assert.NotContains, which would print the value.
			assert.False(t, strings.Contains(err.Error(), "hunter2"), "%s: error carries the value", s.name)
		} else {
			require.NoError(t, err, s.name)
		}
		assert.Equal(t, s.want, got, s.name)
		assert.Equal(t, s.wantCalls, api.calls.Load(), "%s: calls", s.name)
	}
	assert.NotZero(t, c.Stats().StaleServed, "stale reads are counted")

	mu.Lock()
	n := len(reported)
	mu.Unlock()
	assert.GreaterOrEqual(t, n, 3, "failed refreshes reported: got %d, want >= 3", n)

	api.setErr(nil)
	clk.Advance(DefaultRetryInterval)
	got, err := c.GetString(t.Context(), "db")
	require.NoError(t, err, "recovered")
	assert.Equal(t, "hunter2", got)
}

func TestMaxStaleZeroDisablesStale(t *testing.T) {
	api := newStub()
	api.set("db", StageCurrent, "v1")
	c, clk := newTestCache(t, api, 0, func(o *Options) { o.MaxStale = 0 })
	_, err := c.GetString(t.Context(), "db")
	require.NoError(t, err)
	api.setErr(errors.New("AccessDeniedException"))
	clk.Advance(5*time.Minute + time.Second)
	_, err = c.GetString(t.Context(), "db")
	assert.Error(t, err, "no stale serving when MaxStale is 0")
}

func TestClockEviction(t *testing.T) {
	api := newStub()
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		api.set(id, StageCurrent, "val-"+id)
	}
	c, _ := newTestCache(t, api, 0, func(o *Options) { o.MaxEntries = 3 })
	read := func(id string) {
		t.Helper()
		got, err := c.GetString(t.Context(), id)
		require.NoError(t, err)
		require.Equal(t, "val-"+id, got)
	}
	read("a")
	read("b")
	read("c")
	read("d") // every bit set: the sweep clears them all and takes a
	read("c") // sets c's bit again; b's stays clear
	read("e") // hand is on b, clear: b goes
	assert.Equal(t, uint64(2), c.Stats().Evictions, "evictions")
	assert.Equal(t, int64(5), api.calls.Load(), "calls before re-reading")

	tests := []struct {
		id       string
		wantCall bool
	}{{"c", false}, {"d", false}, {"e", false}, {"a", true}}
	for _, tt := range tests {
		before := api.calls.Load()
		read(tt.id)
		assert.Equal(t, tt.wantCall, api.calls.Load() > before, "re-read %s: call made", tt.id)
	}
	assert.LessOrEqual(t, len(c.tab.Load().cur), 3, "entries never exceed MaxEntries")
}

func TestInvalidateDropsEveryVersion(t *testing.T) {
	api := newStub()
	api.set("db", StageCurrent, "cur")
	api.set("db", StagePending, "pend")
	api.set("other", StageCurrent, "x")
	c, _ := newTestCache(t, api, 0)
	ctx := t.Context()
	for _, r := range []struct {
		id  string
		ver Version
	}{{"db", Version{}}, {"db", Version{Stage: StagePending}}, {"other", Version{}}} {
		_, err := c.GetStringVersion(ctx, r.id, r.ver)
		require.NoError(t, err)
	}
	require.Equal(t, int64(3), api.calls.Load())

	c.Invalidate("db")
	_, err := c.GetString(ctx, "db")
	require.NoError(t, err)
	_, err = c.GetStringVersion(ctx, "db", Version{Stage: StagePending})
	require.NoError(t, err)
	_, err = c.GetString(ctx, "other")
	require.NoError(t, err)
	assert.Equal(t, int64(5), api.calls.Load(), "both db versions refetched, other still cached")
}

func TestWarm(t *testing.T) {
	api := newStub()
	api.set("a", StageCurrent, "1")
	api.set("b", StageCurrent, "2")
	c, _ := newTestCache(t, api, 0)

	err := c.Warm(t.Context(), "a", "b", "missing")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "missing", "the failing secret is named")
	assert.Equal(t, int64(3), api.calls.Load())

	for _, id := range []string{"a", "b"} {
		_, err := c.GetString(t.Context(), id)
		require.NoError(t, err)
	}
	assert.Equal(t, int64(3), api.calls.Load(), "warmed secrets are hits")
}

func TestRefreshRejected(t *testing.T) {
	api := newStub()
	api.set("key", StageCurrent, "old")
	c, clk := newTestCache(t, api, 0)
	ctx := t.Context()
	_, err := c.GetString(ctx, "key")
	require.NoError(t, err)
	api.set("key", StageCurrent, "new")

	got, err := c.RefreshRejected(ctx, "key", Version{}, "older")
	require.NoError(t, err)
	assert.Equal(t, "old", got, "a value the cache already replaced needs no call")
	assert.Equal(t, int64(1), api.calls.Load())

	clk.Advance(2 * time.Second)
	got, err = c.RefreshRejected(ctx, "key", Version{}, "old")
	require.NoError(t, err)
	assert.Equal(t, "new", got, "the rejected value is refetched")
	assert.Equal(t, int64(2), api.calls.Load())

	got, err = c.RefreshRejected(ctx, "key", Version{}, "new")
	require.NoError(t, err)
	assert.Equal(t, "new", got)
	assert.Equal(t, int64(2), api.calls.Load(), "no second fetch within MinRefreshInterval")

	got, err = c.Refresh(ctx, "key", Version{})
	require.NoError(t, err)
	assert.Equal(t, "new", got)
	assert.Equal(t, int64(3), api.calls.Load(), "Refresh always fetches")
}

func TestBinarySecret(t *testing.T) {
	api := newStub()
	api.binary["cert/"+StageCurrent] = []byte{0, 1, 2}
	c, _ := newTestCache(t, api, 0)

	got, err := c.GetBytes(t.Context(), "cert")
	require.NoError(t, err)
	assert.Equal(t, []byte{0, 1, 2}, got)
	got[0] = 9
	again, err := c.GetBytes(t.Context(), "cert")
	require.NoError(t, err)
	assert.Equal(t, byte(0), again[0], "callers get their own copy")

	_, err = c.GetString(t.Context(), "cert")
	assert.ErrorIs(t, err, ErrNoString)
}

func TestNewRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		fn   func(*Options)
	}{
		{"zero ttl", func(o *Options) { o.TTL = 0 }},
		{"refresh ahead not below ttl", func(o *Options) { o.RefreshAhead = o.TTL }},
		{"negative max stale", func(o *Options) { o.MaxStale = -time.Second }},
		{"no entries", func(o *Options) { o.MaxEntries = 0 }},
		{"no clock", func(o *Options) { o.Clock = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(newStub(), tt.fn)
			assert.Error(t, err)
		})
	}
	_, err := New(nil)
	assert.Error(t, err, "nil client")
}

func TestDefaultsAndMaxServeAge(t *testing.T) {
	c, err := New(newStub())
	require.NoError(t, err)
	o := c.Options()
	assert.Equal(t, 5*time.Minute, o.TTL)
	assert.Equal(t, 30*time.Second, o.RefreshAhead)
	assert.Equal(t, 15*time.Minute, o.MaxStale)
	assert.Equal(t, 20*time.Minute+30*time.Second, o.MaxServeAge(),
		"the bound the rotation grace period (1h) must exceed")
}

func TestWaitHonoursCallerContext(t *testing.T) {
	api := newStub()
	api.set("db", StageCurrent, "v")
	gate := api.hold()
	defer close(gate)
	c, _ := newTestCache(t, api, 0)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := c.GetString(ctx, "db")
	assert.ErrorIs(t, err, context.Canceled)
}

func TestFailedMissIsRememberedForRetryInterval(t *testing.T) {
	api := newStub()
	var hooked atomic.Int64
	c, clk := newTestCache(t, api, 0, func(o *Options) {
		o.OnRefreshError = func(string, Version, error) { hooked.Add(1) }
	})
	for range 3 {
		_, err := c.GetString(t.Context(), "missing")
		assert.Error(t, err)
	}
	assert.Equal(t, int64(1), api.calls.Load(), "reads within RetryInterval reuse the failure")
	assert.Zero(t, hooked.Load(), "a failed miss goes to its readers, not to OnRefreshError")

	api.set("missing", StageCurrent, "now-here")
	clk.Advance(DefaultRetryInterval)
	got, err := c.GetString(t.Context(), "missing")
	require.NoError(t, err)
	assert.Equal(t, "now-here", got)
	assert.Equal(t, int64(2), api.calls.Load(), "retried after RetryInterval")
}

// lateTimers is a clock whose timers never fire, as when the runtime has not
// yet run an overdue timer after a Lambda thaw.
type lateTimers struct{ *fakeClock }

func (lateTimers) AfterFunc(time.Duration, func()) func() bool { return func() bool { return false } }

func TestExactExpiryDoesNotTrustTimers(t *testing.T) {
	tests := []struct {
		name  string
		exact bool
		want  string
	}{
		{"timer only: the pre-freeze value until the timer runs", false, "v1"},
		{"exact: the clock decides", true, "v2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newStub()
			api.set("db", StageCurrent, "v1")
			clk := lateTimers{newFakeClock()}
			c, err := New(api, func(o *Options) { o.Clock = clk; o.ExactExpiry = tt.exact })
			require.NoError(t, err)
			_, err = c.GetString(t.Context(), "db")
			require.NoError(t, err)
			api.set("db", StageCurrent, "v2")
			clk.Advance(time.Hour) // the freeze
			got, err := c.GetString(t.Context(), "db")
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestWarmBoundsConcurrency(t *testing.T) {
	// synctest.Wait, not a sleep, decides when Warm has started every call it
	// will start while the stub holds them.
	synctest.Test(t, func(t *testing.T) {
		api := newStub()
		ids := []string{"a", "b", "c", "d", "e", "f"}
		for _, id := range ids {
			api.set(id, StageCurrent, "v-"+id)
		}
		gate := api.hold()
		c, _ := newTestCache(t, api, 0, func(o *Options) { o.WarmConcurrency = 2 })

		done := make(chan error, 1)
		go func() { done <- c.Warm(t.Context(), ids...) }()
		// Every Warm goroutine is now blocked, in a held call or on the bound:
		// an unbounded Warm would have all of them in flight.
		synctest.Wait()
		assert.Equal(t, int64(2), api.calls.Load(), "calls in flight while held: got %d, want WarmConcurrency 2", api.calls.Load())
		close(gate)
		require.NoError(t, <-done)
		assert.Equal(t, int64(len(ids)), api.calls.Load(), "every secret fetched")
		assert.LessOrEqual(t, api.maxInflight.Load(), int64(2), "max concurrent calls")
	})
}
