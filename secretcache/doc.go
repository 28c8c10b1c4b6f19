// Package secretcache is an in-memory cache of AWS Secrets Manager secrets for
// Go programs, Lambda functions included. A cache hit is a lock-free read of an immutable
// snapshot and reads no clock, so hits cost a few nanoseconds and scale with
// readers; the only API call it makes is GetSecretValue (IAM action
// secretsmanager:GetSecretValue, plus kms:Decrypt on a customer managed key).
//
// # Freshness
//
// Each fill is valid for TTL plus a uniform random jitter of 0..TTL/10, so
// that a fleet started together does not refresh together. RefreshAhead before
// that expiry the first reader starts one background refresh and keeps getting
// the current value. A secret that nobody read during that window is refreshed
// by its next reader, who waits for it: an expired value is not served unless a
// refresh is already running or has failed. When a refresh fails, the last
// good value is served for at most MaxStale past its expiry, the error goes to
// Options.OnRefreshError, and a new attempt is made at most every
// RetryInterval. Past that, as on a miss, the reader waits for a fetch and gets
// its error; for RetryInterval after a failure, without another call.
//
// With the defaults (TTL 5m, jitter up to 30s, MaxStale 15m) a client may keep
// using a value for at most TTL + TTL/10 + MaxStale = 20m30s after Secrets
// Manager replaced it (see Options.MaxServeAge). Rotation therefore has to keep
// the replaced value working for longer than that: the third-party key
// rotation grace period (default 1h) must exceed MaxServeAge, which the
// platform's config validation enforces. Database passwords need no grace
// period: the pgsecret connector retries a refused login with the new
// AWSCURRENT and then with AWSPENDING. A TTL shorter than the rotation period
// costs only API calls; it is the staleness bound that matters.
//
// # Clock
//
// The cache owns no goroutine and needs no Close. Instead of reading a clock
// on every hit, each fill arms one runtime timer (Clock.AfterFunc) that flags
// the value when its refresh window opens; a hit only checks that flag, and
// flagged values take the slow path, which reads Clock.Now. One consequence:
// in a Lambda execution environment thawed after a long freeze, reads that run
// before the runtime has fired the overdue timer (microseconds) still see the
// pre-freeze value. Options.ExactExpiry, on by default inside Lambda, closes
// that window at the price of a clock read per hit; RefreshRejected
// refetches a value that the downstream service refused.
//
// # Placeholders
//
// A secret the secrets platform creates starts as a placeholder version that
// holds no value (PlaceholderKey) until its first rotation or an operator's
// first put. The cache never serves it: every getter returns an error
// wrapping ErrNoValueYet that names the secret.
//
// # Eviction
//
// At most MaxEntries secret versions are held. When full, a CLOCK sweep picks
// the victim: a hit sets an entry's reference bit only when it is clear, so a
// hot entry costs one shared write per sweep, not one per read.
package secretcache
