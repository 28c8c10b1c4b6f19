package lambdaext

import (
	"strconv"
	"time"
)

// The extension's environment variables (AWS Systems Manager User Guide,
// "AWS Parameters and Secrets Lambda Extension environment variables", the
// page LayersSource names).
const (
	EnvCacheEnabled   = "PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED"
	EnvSecretsTTL     = "SECRETS_MANAGER_TTL"
	EnvSecretsTimeout = "SECRETS_MANAGER_TIMEOUT_MILLIS"
	// EnvHTTPPort is where the extension listens on localhost (default 2773).
	EnvHTTPPort = "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT"
)

// MaxTTL is the longest SECRETS_MANAGER_TTL the extension accepts; a larger
// value is cut to it (with a warning in the function's log).
const MaxTTL = 300 * time.Second

// DefaultPort is the extension's default localhost port.
const DefaultPort = 2773

// RequestTimeout bounds one call of the extension to Secrets Manager. Its
// default, 0, waits forever, so a function could hang on a network problem
// until its own timeout instead of failing fast.
const RequestTimeout = 5 * time.Second

// Environment is what a function sets for the extension to cache the way
// the stack's clients do: a value is reused for at most ttl (the stack's
// cache.ttl, cut to MaxTTL) and then fetched again. The extension never
// serves an expired value when the fetch fails: the call fails, so a
// function's staleness is bounded by the TTL alone, well inside the
// stack's cache.ttl + ttl/10 + cache.maxStale that rotation grace periods
// are checked against.
func Environment(ttl time.Duration) map[string]string {
	return map[string]string{
		EnvCacheEnabled:   "TRUE",
		EnvSecretsTTL:     strconv.Itoa(int(TTL(ttl) / time.Second)),
		EnvSecretsTimeout: strconv.Itoa(int(RequestTimeout / time.Millisecond)),
	}
}

// TTL is the extension's TTL for a stack cache TTL: the same, in whole
// seconds (rounded down, so never longer), at most MaxTTL.
func TTL(ttl time.Duration) time.Duration {
	if ttl > MaxTTL {
		return MaxTTL
	}
	return ttl.Truncate(time.Second)
}
