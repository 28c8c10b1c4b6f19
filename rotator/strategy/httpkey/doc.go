// Package httpkey rotates third-party API keys through the key-management
// contract in docs/http-key-contract.md, which a provider or an in-house
// adapter in front of one implements.
//
// The rotated secret's value is a JSON object {"keyId": "...", "apiKey": "..."}
// (other fields are carried over unchanged). Create mints a key at the provider,
// Set activates it, Test calls the provider with it, and the old key is revoked
// only after a grace period, by the grace package's Sweeper or by the next
// rotation's Create (see grace.Gate). The credential that may manage keys lives
// in another secret, {"adminToken": "..."}, read with GetSecretValue at each
// step so that a rotated admin credential is picked up at once.
//
// Environment, read by FromEnv and SweeperFromEnv:
//
//	HTTPKEY_BASE_URL          required; the contract's base URL. https, except
//	                          for a loopback host (tests, a local adapter).
//	HTTPKEY_ADMIN_SECRET_ARN  required; ARN of the secret holding the admin token.
//	GRACE_PERIOD              optional; see package grace (default 1h).
package httpkey
