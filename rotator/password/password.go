// Package password generates the random passwords that rotation strategies
// store (random, postgres-*).
package password

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"strings"

	"github.com/acme/secrets-platform/rotator/contract"
)

// Bounds and defaults of a contract.PasswordShape. The bounds hold what stack
// config allows (20 to 128); 16 characters of a 32-character alphabet already
// carry 80 bits, and some database drivers cap passwords at 128.
const (
	DefaultLength = 32
	MinLength     = 16
	MaxLength     = 128
	// DefaultExclude is the config's default: characters that break URLs,
	// JSON, shell quoting or RDS (which refuses / @ " and space).
	DefaultExclude = "/@\"' \\`"
)

// minAlphabet is the fewest characters a generator may draw from, so that
// exclusions cannot shrink a password's entropy below 5 bits a character.
const minAlphabet = 32

// The character classes; every class left after exclusions appears at least
// once in each password, as pulumi-random's first values do.
var classes = [...]string{
	"abcdefghijklmnopqrstuvwxyz",
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
	"0123456789",
	"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
}

// Generator draws passwords of one shape from crypto/rand.
type Generator struct {
	length  int
	classes []string
	all     string
	rand    io.Reader
}

// New returns a generator for s; zero fields mean DefaultLength and
// DefaultExclude. alsoExclude is removed in every case: characters the
// strategy's downstream refuses whatever the config says.
func New(s contract.PasswordShape, alsoExclude string) (*Generator, error) {
	length := s.Length
	if length == 0 {
		length = DefaultLength
	}
	if length < MinLength || length > MaxLength {
		return nil, fmt.Errorf("password length %d: want %d to %d", length, MinLength, MaxLength)
	}
	exclude := s.ExcludeCharacters
	if exclude == "" {
		exclude = DefaultExclude
	}
	exclude += alsoExclude
	g := &Generator{length: length, rand: rand.Reader}
	for _, c := range classes {
		kept := strings.Map(func(r rune) rune {
			if strings.ContainsRune(exclude, r) {
				return -1
			}
			return r
		}, c)
		if kept != "" {
			g.classes = append(g.classes, kept)
		}
	}
	g.all = strings.Join(g.classes, "")
	if len(g.all) < minAlphabet {
		return nil, fmt.Errorf("password alphabet: %d characters left after exclusions, want at least %d", len(g.all), minAlphabet)
	}
	return g, nil
}

// Generate returns a new password: one character of each class, the rest
// from all of them, then shuffled so that the required characters sit at no
// fixed position. Every draw is uniform (no modulo bias).
func (g *Generator) Generate() (string, error) {
	out := make([]byte, g.length)
	for i := range out {
		set := g.all
		if i < len(g.classes) {
			set = g.classes[i]
		}
		n, err := uniform(g.rand, len(set))
		if err != nil {
			return "", err
		}
		out[i] = set[n]
	}
	for i := len(out) - 1; i > 0; i-- {
		j, err := uniform(g.rand, i+1)
		if err != nil {
			return "", err
		}
		out[i], out[j] = out[j], out[i]
	}
	return string(out), nil
}

// uniform returns an unbiased integer in [0, n), 0 < n <= 65536, by rejecting
// the draws that would make a modulo uneven. Sets up to 256 take one byte per
// draw; larger ranges take two.
func uniform(rnd io.Reader, n int) (int, error) {
	width, space := 1, 256
	if n > 256 {
		width, space = 2, 65536
	}
	limit := space - space%n
	var b [2]byte
	for {
		if _, err := io.ReadFull(rnd, b[:width]); err != nil {
			return 0, fmt.Errorf("generate password: read random: %w", err)
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
