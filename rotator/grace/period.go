package grace

import (
	"fmt"
	"time"
)

// DefaultPeriod is the grace when GRACE_PERIOD is unset. It leaves a wide margin
// over MinGrace for the platform's cache defaults (5m TTL, 15m stale: 20m30s),
// because revoking too early breaks production while revoking late costs nothing.
const DefaultPeriod = time.Hour

// PeriodEnv is the environment variable that overrides DefaultPeriod.
const PeriodEnv = "GRACE_PERIOD"

// MinGrace is the longest a cache client can keep serving a value after it
// stopped being current: it may have fetched it just before the switch, keeps it
// for the TTL plus up to TTL/10 of jitter, and then serves it for maxStale more
// when refreshes fail. A grace period must be longer than this.
func MinGrace(ttl, maxStale time.Duration) time.Duration {
	return ttl + ttl/10 + maxStale
}

// PeriodFromEnv reads GRACE_PERIOD through getenv. Only the sign is checked here:
// the floor depends on the cache settings, which the program's config knows.
func PeriodFromEnv(getenv func(string) string) (time.Duration, error) {
	raw := getenv(PeriodEnv)
	if raw == "" {
		return DefaultPeriod, nil
	}
	d, err := time.ParseDuration(raw)
	if err != nil {
		return 0, fmt.Errorf("parse %s: %w", PeriodEnv, err)
	}
	if d <= 0 {
		return 0, fmt.Errorf("parse %s: %s is not a positive duration", PeriodEnv, d)
	}
	return d, nil
}
