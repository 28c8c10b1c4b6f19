package awsshape

import (
	"crypto/sha256"
	"encoding/hex"
)

// digest is a stable hex string (128 characters) derived from s, so that the
// same resource gets the same ids and ARNs in every run.
func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:]) + hex.EncodeToString(sum[:])
}

// uuidOf shapes 32 hex characters of h as a version 4 UUID.
func uuidOf(h string) string {
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}

// secretSuffix is the six random characters Secrets Manager appends to a
// secret's name in its ARN.
func secretSuffix(h string) string {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	out := make([]byte, 6)
	for i := range out {
		out[i] = chars[int(h[i*2])*7%len(chars)]
	}
	return string(out)
}
