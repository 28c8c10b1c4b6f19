// Package apikey is the key lifecycle shared by the two key strategies (http,
// twilio).
//
// A Strategy reads the admin credential from its own secret at each step (so
// that a rotated admin credential takes effect at once), and:
//
//   - Create runs the grace Gate, then mints a key named after the rotation
//     token (KeyName). A key already carrying that name was left by an earlier
//     attempt that crashed before its value was stored; providers show a
//     secret once, so that key can never be used: it is revoked, not left
//     live, and a fresh one is minted.
//   - Set makes the new key usable, Test calls the provider as the new key.
//   - As a grace.Revoker it revokes the key an old version holds, once the
//     grace package says no client can still use it.
//
// What differs between the two providers (their value shapes, the calls that
// manage and test keys) is a Provider. No secret value ever reaches an error.
package apikey
