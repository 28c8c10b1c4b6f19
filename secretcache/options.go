package secretcache

import (
	"errors"
	"fmt"
	"time"
)

// Defaults that the rest of the platform relies on; see the package doc for the
// staleness bound they add up to.
const (
	// DefaultTTL is how long a fill is fresh, before jitter.
	DefaultTTL = 5 * time.Minute
	// DefaultMaxStale is how long past expiry the last good value is served
	// while refreshes fail.
	DefaultMaxStale = 15 * time.Minute
	// DefaultRetryInterval spaces refresh attempts after a failure, so an
	// outage costs one call per secret per interval, not one per read.
	DefaultRetryInterval = 10 * time.Second
	// DefaultMinRefreshInterval limits how often RefreshRejected refetches a
	// value that is still being refused.
	DefaultMinRefreshInterval = time.Second
	// DefaultFetchTimeout bounds one GetSecretValue, SDK retries included; it
	// exists because a fetch outlives the reader that started it.
	DefaultFetchTimeout = 10 * time.Second
	// DefaultMaxEntries bounds the number of cached secret versions.
	DefaultMaxEntries = 1024
	// DefaultWarmConcurrency is how many fetches Warm runs at once.
	DefaultWarmConcurrency = 8
)

// Options configures a Cache. New fills every field with its default before
// applying the caller's functions, so a function sets only what it changes.
type Options struct {
	// TTL is how long a value is fresh; each fill adds a uniform random
	// jitter of 0..TTL/10. Default DefaultTTL.
	TTL time.Duration
	// RefreshAhead is how long before expiry a read starts a background
	// refresh. Zero means TTL/10. It must be shorter than TTL.
	RefreshAhead time.Duration
	// MaxStale is how long past expiry the last good value is served while
	// refreshes fail. Zero disables stale serving. Default DefaultMaxStale.
	MaxStale time.Duration
	// RetryInterval is the least time between refresh attempts after a
	// failed one; a read with no usable value (a miss, or past MaxStale) is
	// answered with the last error for this long.
	// Default DefaultRetryInterval.
	RetryInterval time.Duration
	// MinRefreshInterval is the least time between two fetches that
	// RefreshRejected makes for a value that keeps being refused. Default
	// DefaultMinRefreshInterval.
	MinRefreshInterval time.Duration
	// FetchTimeout bounds one GetSecretValue call. Default DefaultFetchTimeout.
	FetchTimeout time.Duration
	// MaxEntries bounds the number of cached secret versions. Default
	// DefaultMaxEntries.
	MaxEntries int
	// WarmConcurrency is how many fetches Warm runs at once. Default
	// DefaultWarmConcurrency.
	WarmConcurrency int
	// OnRefreshError, when set, receives every failed refresh of a cached
	// value, which readers do not see while the value is served (a failed
	// miss is returned to its readers instead). It runs on the fetching
	// goroutine and must not block. The error never contains a secret value.
	OnRefreshError func(secretID string, v Version, err error)
	// Clock is the time source. Default: the system clock.
	Clock Clock
	// ExactExpiry makes every hit also read Clock.Now instead of relying only
	// on the timer that flags a value when its refresh window opens; a hit
	// then costs about 65 ns instead of 13 on our VMs, where time.Now is
	// slow. Set it where timers can run late, as in a Lambda execution
	// environment thawed after a long freeze, when the staleness bound
	// (MaxServeAge) must hold even for the first reads after the thaw.
	// Default false.
	ExactExpiry bool
}

// MaxServeAge is the longest a reader may keep getting a value after Secrets
// Manager replaced it: TTL + TTL/10 (jitter) + MaxStale, 20m30s by default.
// A rotation grace period must exceed it.
func (o Options) MaxServeAge() time.Duration {
	return o.TTL + o.TTL/10 + o.MaxStale
}

// defaultOptions returns the documented defaults; getenv tells whether the
// cache runs inside Lambda.
func defaultOptions(getenv func(string) string) Options {
	return Options{
		ExactExpiry:        getenv(envLambdaFunctionName) != "",
		TTL:                DefaultTTL,
		MaxStale:           DefaultMaxStale,
		RetryInterval:      DefaultRetryInterval,
		MinRefreshInterval: DefaultMinRefreshInterval,
		FetchTimeout:       DefaultFetchTimeout,
		MaxEntries:         DefaultMaxEntries,
		WarmConcurrency:    DefaultWarmConcurrency,
		Clock:              systemClock{},
	}
}

// envLambdaFunctionName is set by Lambda in every execution environment.
const envLambdaFunctionName = "AWS_LAMBDA_FUNCTION_NAME"

// validate fills derived defaults and rejects settings the cache cannot honour.
func (o *Options) validate() error {
	if o.RefreshAhead == 0 {
		o.RefreshAhead = o.TTL / 10
	}
	var errs []error
	if o.TTL <= 0 {
		errs = append(errs, fmt.Errorf("ttl %v must be positive", o.TTL))
	}
	if o.RefreshAhead < 0 || o.RefreshAhead >= o.TTL {
		errs = append(errs, fmt.Errorf("refresh ahead %v must be in [0, ttl %v)", o.RefreshAhead, o.TTL))
	}
	if o.MaxStale < 0 {
		errs = append(errs, fmt.Errorf("max stale %v must not be negative", o.MaxStale))
	}
	if o.RetryInterval <= 0 || o.MinRefreshInterval < 0 || o.FetchTimeout <= 0 {
		errs = append(errs, errors.New("retry interval and fetch timeout must be positive, min refresh interval not negative"))
	}
	if o.MaxEntries < 1 || o.WarmConcurrency < 1 {
		errs = append(errs, errors.New("max entries and warm concurrency must be at least 1"))
	}
	if o.Clock == nil {
		errs = append(errs, errors.New("clock must be set"))
	}
	return errors.Join(errs...)
}

// Clock is the cache's source of time. Tests inject a fake one; production
// uses the system clock.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// AfterFunc runs f once, on its own goroutine, after d; stop cancels it
	// and reports whether it did so before f ran.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// systemClock is the real clock, backed by runtime timers (no goroutine
// exists until a timer fires).
type systemClock struct{}

// Now is time.Now.
func (systemClock) Now() time.Time { return time.Now() }

// AfterFunc is time.AfterFunc.
func (systemClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}
