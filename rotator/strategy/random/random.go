// Package random is the rotation strategy for secrets whose value is a random
// password or token that nothing downstream has to accept: applications read
// it from Secrets Manager (a shared token, an HMAC secret, an app-level
// password checked against the secret itself).
//
// The value is either the whole SecretString, or one string field of a JSON
// object whose other fields are kept as they are (for example the "password" of
// {"username":"app","password":"..."}).
//
// Environment (all optional):
//
//	RANDOM_LENGTH             length in characters, 16 to 4096; default 32.
//	RANDOM_CHARACTER_CLASSES  comma-separated classes to draw from: lower, upper,
//	                          digits, symbols; default all four. Each class
//	                          named appears at least once in every value.
//	RANDOM_EXCLUDE_CHARACTERS characters never used; unset or empty means the
//	                          default /@"'\ and space, as AWS's rotation
//	                          templates, so the value is safe in URLs, JSON and
//	                          shell quoting.
//	RANDOM_JSON_FIELD         when set, the secret is a JSON object and only
//	                          this string field is rotated; the field must
//	                          already exist. When empty, the whole value is
//	                          replaced.
//
// Random material comes from crypto/rand, drawn without modulo bias. Set and
// Test have no downstream service to talk to, so the strategy reads no value
// in them (see Needs): a full rotation costs 8 Secrets Manager calls.
package random

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/acme/secrets-platform/rotator/engine"
)

// The environment variables FromEnv reads.
const (
	EnvLength  = "RANDOM_LENGTH"
	EnvClasses = "RANDOM_CHARACTER_CLASSES"
	EnvExclude = "RANDOM_EXCLUDE_CHARACTERS"
	EnvField   = "RANDOM_JSON_FIELD"
)

// Bounds and defaults of the policy.
const (
	DefaultLength  = 32
	MinLength      = 16
	MaxLength      = 4096
	DefaultExclude = "/@\"'\\ "
)

// The character classes.
const (
	lower   = "abcdefghijklmnopqrstuvwxyz"
	upper   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	digits  = "0123456789"
	symbols = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
)

// classByName maps RANDOM_CHARACTER_CLASSES names to their characters.
func classByName(name string) (string, bool) {
	switch name {
	case "lower":
		return lower, true
	case "upper":
		return upper, true
	case "digits":
		return digits, true
	case "symbols":
		return symbols, true
	}
	return "", false
}

// Policy says what a generated value looks like.
type Policy struct {
	// Length is the number of characters.
	Length int
	// Classes are the character sets to draw from, with excluded characters
	// already removed; each one contributes at least one character.
	Classes []string
}

// NewPolicy builds a policy from a length, class names and excluded characters,
// and refuses one that cannot be met.
func NewPolicy(length int, classNames []string, exclude string) (Policy, error) {
	if length < MinLength || length > MaxLength {
		return Policy{}, fmt.Errorf("length %d: want %d to %d", length, MinLength, MaxLength)
	}
	if len(classNames) == 0 {
		return Policy{}, errors.New("no character classes")
	}
	p := Policy{Length: length}
	seen := map[string]bool{}
	for _, name := range classNames {
		chars, ok := classByName(name)
		if !ok {
			return Policy{}, fmt.Errorf("character class %q: want lower, upper, digits or symbols", name)
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		kept := strings.Map(func(r rune) rune {
			if strings.ContainsRune(exclude, r) {
				return -1
			}
			return r
		}, chars)
		if kept == "" {
			return Policy{}, fmt.Errorf("character class %q: every character is excluded", name)
		}
		p.Classes = append(p.Classes, kept)
	}
	if len(p.Classes) > length {
		return Policy{}, fmt.Errorf("length %d is shorter than the %d required classes", length, len(p.Classes))
	}
	return p, nil
}

// Generate returns a new value drawn from rnd (crypto/rand.Reader in
// production): one character of each class, the rest from all classes, then
// shuffled so that the required characters are not at fixed positions.
func (p Policy) Generate(rnd io.Reader) ([]byte, error) {
	all := strings.Join(p.Classes, "")
	out := make([]byte, p.Length)
	for i := range out {
		set := all
		if i < len(p.Classes) {
			set = p.Classes[i]
		}
		n, err := uniform(rnd, len(set))
		if err != nil {
			return nil, err
		}
		out[i] = set[n]
	}
	for i := len(out) - 1; i > 0; i-- {
		j, err := uniform(rnd, i+1)
		if err != nil {
			return nil, err
		}
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// Check reports whether v could have come from the policy.
func (p Policy) Check(v []byte) error {
	if len(v) != p.Length {
		return fmt.Errorf("value has %d characters, want %d", len(v), p.Length)
	}
	all := strings.Join(p.Classes, "")
	for i, c := range v {
		if strings.IndexByte(all, c) < 0 {
			return fmt.Errorf("character %d is outside the policy", i)
		}
	}
	for i, class := range p.Classes {
		if !bytes.ContainsAny(v, class) {
			return fmt.Errorf("value lacks required class %d", i)
		}
	}
	return nil
}

// uniform returns an unbiased integer in [0, n), 0 < n <= 65536, by rejecting
// the draws that would make a modulo uneven. Sets up to 256 take one byte per
// draw; larger ranges (the shuffle of long values) take two.
func uniform(rnd io.Reader, n int) (int, error) {
	width, space := 1, 256
	if n > 256 {
		width, space = 2, 65536
	}
	limit := space - space%n
	var b [2]byte
	for {
		if _, err := io.ReadFull(rnd, b[:width]); err != nil {
			return 0, fmt.Errorf("read random: %w", err)
		}
		v := int(b[0])
		if width == 2 {
			v = int(binary.BigEndian.Uint16(b[:]))
		}
		if v < limit {
			return v % n, nil
		}
	}
}

// Strategy rotates a random value. It implements engine.Strategy and
// engine.ValueNeeds.
type Strategy struct {
	policy Policy
	field  string
	rnd    io.Reader
}

// New returns a strategy that generates values with p; field, when not empty,
// names the JSON field to rotate. rnd is the randomness source; nil means
// crypto/rand.
func New(p Policy, field string, rnd io.Reader) *Strategy {
	if rnd == nil {
		rnd = rand.Reader
	}
	return &Strategy{policy: p, field: field, rnd: rnd}
}

// FromEnv is the engine.Constructor of this strategy: it reads the RANDOM_*
// variables documented in the package comment.
func FromEnv(_ context.Context, d engine.Deps) (engine.Strategy, error) {
	length := DefaultLength
	if v := d.Getenv(EnvLength); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", EnvLength, err)
		}
		length = n
	}
	classes := []string{"lower", "upper", "digits", "symbols"}
	if v := d.Getenv(EnvClasses); v != "" {
		classes = classes[:0]
		for name := range strings.SplitSeq(v, ",") {
			classes = append(classes, strings.TrimSpace(name))
		}
	}
	exclude := DefaultExclude
	if v := d.Getenv(EnvExclude); v != "" {
		exclude = v
	}
	p, err := NewPolicy(length, classes, exclude)
	if err != nil {
		return nil, fmt.Errorf("random policy from environment: %w", err)
	}
	return New(p, d.Getenv(EnvField), nil), nil
}

// Name implements engine.Strategy.
func (s *Strategy) Name() string { return "random" }

// Needs implements engine.ValueNeeds: Set and Test read nothing.
func (s *Strategy) Needs() engine.Needs { return engine.Needs{} }

// Create implements engine.Strategy: a fresh value, or the current JSON object
// with a fresh value in the configured field.
func (s *Strategy) Create(_ context.Context, r engine.Rotation) ([]byte, error) {
	v, err := s.policy.Generate(s.rnd)
	if err != nil {
		return nil, err
	}
	if s.field == "" {
		return v, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(r.Current.Value, &obj); err != nil || obj == nil {
		// The json error could quote the value: name the version instead.
		return nil, fmt.Errorf("current version %s is not a JSON object", r.Current.ID)
	}
	old, ok := obj[s.field]
	if !ok {
		return nil, fmt.Errorf("current version %s has no field %q", r.Current.ID, s.field)
	}
	if len(old) == 0 || old[0] != '"' {
		return nil, fmt.Errorf("field %q of version %s is not a string", s.field, r.Current.ID)
	}
	enc, err := json.Marshal(string(v))
	if err != nil {
		return nil, fmt.Errorf("encode field %q: %w", s.field, err)
	}
	obj[s.field] = enc
	out, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("encode new version: %w", err)
	}
	return out, nil
}

// Set implements engine.Strategy; no service needs the value.
func (s *Strategy) Set(context.Context, engine.Rotation) error { return nil }

// Test implements engine.Strategy; Create already produced a value of the
// policy, and there is no service to try it against.
func (s *Strategy) Test(context.Context, engine.Rotation) error { return nil }
