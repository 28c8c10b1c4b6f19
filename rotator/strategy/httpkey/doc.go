// Package httpkey rotates third-party API keys through the key-management
// contract in docs/http-key-contract.md.
//
// A provider, or an in-house adapter in front of one, implements the contract.
// The rotated secret's value is a JSON object {"keyId": "...", "apiKey": "..."}
// (other fields are carried over unchanged). Create mints a key at the provider,
// Set activates it, Test calls the provider with it, and the old key is revoked
// only after a grace period, by the grace package's Sweeper or by the next
// rotation's Create (see grace.Gate). The credential that may manage keys lives
// in another secret, {"adminToken": "..."}, read with GetSecretValue at each
// step so that a rotated admin credential is picked up at once.
//
// New takes the function's contract.KeyAPI: the contract's base URL (https,
// except for a loopback host), the admin secret's ARN and the grace period.
package httpkey
