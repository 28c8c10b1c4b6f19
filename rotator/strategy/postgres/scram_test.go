package postgres

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestScramVerifier recomputes the verifier from its salt, as the server does
// at login, and checks that it never holds the password.
func TestScramVerifier(t *testing.T) {
	for _, pw := range []string{"abc", "Sup3r-s3cret!", strings.Repeat("x", 128)} {
		t.Run(pw[:3], func(t *testing.T) {
			v, err := scramVerifier(pw)
			require.NoError(t, err)
			assertNoLeak(t, v, pw)

			head, keys, ok := strings.Cut(strings.TrimPrefix(v, "SCRAM-SHA-256$4096:"), "$")
			require.True(t, ok, "verifier %q has no keys part", v)
			salt, err := base64.StdEncoding.DecodeString(head)
			require.NoError(t, err)
			stored, server, ok := strings.Cut(keys, ":")
			require.True(t, ok)
			salted, err := pbkdf2.Key(sha256.New, pw, salt, 4096, 32)
			require.NoError(t, err)
			mac := hmac.New(sha256.New, salted)
			mac.Write([]byte("Server Key"))
			assert.Equal(t, base64.StdEncoding.EncodeToString(mac.Sum(nil)), server, "server key")
			assert.Len(t, stored, 44, "stored key is base64 of 32 bytes")
		})
	}
}
