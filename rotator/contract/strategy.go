package contract

// Strategy names a Go rotation strategy; the names are the stack config's
// rotation.strategy values.
type Strategy string

// The strategies the Go rotator implements.
const (
	// Random generates a password or token.
	Random Strategy = "random"
	// Keyring adds a field-encryption key to a key ring and makes it active.
	Keyring Strategy = "keyring"
	// HTTPKey rotates a third-party API key through the documented key contract.
	HTTPKey Strategy = "http"
	// Twilio rotates a Twilio API key through Twilio's Keys API.
	Twilio Strategy = "twilio"
	// PostgresSingleUser changes the application user's password.
	PostgresSingleUser Strategy = "postgres-single-user"
	// PostgresAlternatingUsers alternates between the user and <user>_clone.
	PostgresAlternatingUsers Strategy = "postgres-alternating-users"
)

// Strategies lists every Go strategy, in the order the docs show them.
func Strategies() []Strategy {
	return []Strategy{Random, Keyring, HTTPKey, Twilio, PostgresSingleUser, PostgresAlternatingUsers}
}

// Known reports whether s is a Go strategy.
func (s Strategy) Known() bool {
	for _, k := range Strategies() {
		if s == k {
			return true
		}
	}
	return false
}

// RevokesKeys reports whether the strategy revokes a replaced third-party key
// after a grace period, and so answers the sweep event.
func (s Strategy) RevokesKeys() bool { return s == HTTPKey || s == Twilio }

// ReadsAdminSecret reports whether the strategy reads a provider credential
// from another secret.
func (s Strategy) ReadsAdminSecret() bool { return s == HTTPKey || s == Twilio }

// ReadsMasterSecret reports whether the strategy logs in with the database's
// master secret.
func (s Strategy) ReadsMasterSecret() bool {
	return s == PostgresSingleUser || s == PostgresAlternatingUsers
}
