package postgres

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"
)

// PasswordAlphabet is every character a generated password may hold: the
// printable ASCII characters except space, / @ " (which RDS refuses in
// passwords) and ' \ (excluded by AWS's own rotation templates too, so that a
// value survives shell, JDBC-URL and libpq quoting by its consumers).
const PasswordAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" +
	"!#$%&()*+,-.:;<=>?[]^_`{|}~"

// Password length bounds: 16 characters of this alphabet already carry over 100
// bits; PostgreSQL accepts far longer, but some drivers cap at 128.
const (
	defaultPasswordLength = 32
	minPasswordLength     = 16
	maxPasswordLength     = 128
)

// passwordGenerator draws passwords uniformly from an alphabet. Generating
// them here rather than with GetRandomPassword saves a Secrets Manager call per
// rotation.
type passwordGenerator struct {
	alphabet string
	length   int
	rand     io.Reader
}

// newPasswordGenerator removes exclude from PasswordAlphabet.
func newPasswordGenerator(length int, exclude string) (passwordGenerator, error) {
	if length < minPasswordLength || length > maxPasswordLength {
		return passwordGenerator{}, fmt.Errorf("password length %d is outside %d..%d", length, minPasswordLength, maxPasswordLength)
	}
	var b strings.Builder
	for _, r := range PasswordAlphabet {
		if !strings.ContainsRune(exclude, r) {
			b.WriteRune(r)
		}
	}
	if b.Len() < 32 {
		return passwordGenerator{}, fmt.Errorf("password alphabet has %d characters left after exclusions, want at least 32", b.Len())
	}
	return passwordGenerator{alphabet: b.String(), length: length, rand: rand.Reader}, nil
}

// generate uses rejection sampling so that every character is equally likely.
func (g passwordGenerator) generate() (string, error) {
	if g.rand == nil || g.alphabet == "" {
		return "", errors.New("generate password: generator is not initialised")
	}
	n := len(g.alphabet)
	limit := 256 - 256%n // bytes at or above limit would bias the draw
	out := make([]byte, 0, g.length)
	buf := make([]byte, g.length*2)
	for len(out) < g.length {
		if _, err := io.ReadFull(g.rand, buf); err != nil {
			return "", fmt.Errorf("generate password: %w", err)
		}
		for _, c := range buf {
			if int(c) < limit && len(out) < g.length {
				out = append(out, g.alphabet[int(c)%n])
			}
		}
	}
	return string(out), nil
}
