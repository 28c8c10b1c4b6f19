package secretcache

import (
	"encoding/json"
	"errors"
	"strings"
)

// PlaceholderKey marks a secret version that holds no value yet: the first
// version the secrets platform writes before its rotator makes the first
// value, or before an operator puts it. It equals the platform's
// contract.PlaceholderKey; this module cannot import the platform, and a
// test there checks the two agree.
const PlaceholderKey = "secretsPlatformPlaceholder"

// ErrNoValueYet is returned, wrapped with the secret's name, for a secret
// whose version is a placeholder: "secret /prod/app/x has no value yet". The
// placeholder is never served as a value. The first rotation, or an
// operator's first put, ends it; the cache fetches again after
// Options.RetryInterval.
var ErrNoValueYet = errors.New("no value yet")

// isPlaceholder reports whether a SecretString is a placeholder: a JSON
// object with PlaceholderKey at its top level. The substring test keeps
// every other value from being parsed twice.
func isPlaceholder(s string) bool {
	if !strings.Contains(s, PlaceholderKey) {
		return false
	}
	var probe map[string]json.RawMessage
	if json.Unmarshal([]byte(s), &probe) != nil {
		return false
	}
	_, ok := probe[PlaceholderKey]
	return ok
}
