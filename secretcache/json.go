package secretcache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// GetJSON returns the AWSCURRENT value of secretID decoded from JSON into a
// T. The decoding is cached with the value, so a hit costs what a string hit
// costs plus copying T. The result is shared by every reader of the same
// value: treat maps, slices and pointers inside T as read-only.
func GetJSON[T any](ctx context.Context, c *Cache, secretID string) (T, error) {
	return GetJSONVersion[T](ctx, c, secretID, Version{})
}

// GetJSONVersion is GetJSON for one version of secretID.
func GetJSONVersion[T any](ctx context.Context, c *Cache, secretID string, ver Version) (T, error) {
	var zero T
	v, err := c.value(ctx, secretID, ver)
	if err != nil {
		return zero, err
	}
	if d := v.decoded.Load(); d != nil {
		if t, ok := d.v.(T); ok {
			return t, nil
		}
	}
	raw := v.bin
	if v.hasString {
		raw = []byte(v.str)
	}
	var t T
	if err := json.Unmarshal(raw, &t); err != nil {
		return zero, fmt.Errorf("decode secret %s as %T: %w", secretID, t, redactJSONError(err))
	}
	v.decoded.Store(&decoded{v: t})
	return t, nil
}

// ErrInvalidJSON is what a JSON decoding error of a secret becomes: the
// encoding/json errors quote the offending input (a syntax error's
// character, a number's digits), and that input is the secret.
var ErrInvalidJSON = errors.New("invalid JSON")

// redactJSONError keeps where and what kind of mismatch, never the input.
func redactJSONError(err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Errorf("%w: syntax error at offset %d", ErrInvalidJSON, syn.Offset)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return fmt.Errorf("%w: field %q: wrong JSON type for Go type %v", ErrInvalidJSON, typ.Field, typ.Type)
	}
	return ErrInvalidJSON
}
