package apikey

import "context"

// Provider is what differs between the key providers. Values are secret
// values as Secrets Manager holds them; no method may put one, or any secret
// in one, into an error.
type Provider interface {
	// KeyID returns the provider's id of the key value holds, or "" when it
	// holds none yet (a first value awaiting its first rotation). The id is
	// not secret and may be logged.
	KeyID(value []byte) (string, error)
	// Account returns the key calls of the account value belongs to,
	// authenticated with admin, the admin secret's value.
	Account(admin, value []byte) (Account, error)
	// Test calls the provider as the key pending holds and checks that the
	// provider saw that very key.
	Test(ctx context.Context, pending []byte) error
}

// Account is one provider account's key calls, made with the admin
// credential. Errors name key ids and request paths, never a secret.
type Account interface {
	// FindByName returns the ids of the keys named name: none, normally; one
	// after a crash. Ids go into request paths, so a malformed one is an
	// error, never returned.
	FindByName(ctx context.Context, name string) ([]string, error)
	// Create mints a key named name and returns the value the Account was
	// made from, holding the new key instead of its own, other fields kept.
	Create(ctx context.Context, name string) ([]byte, error)
	// Activate makes key id usable, idempotently. A provider whose keys work
	// from creation checks that the key still exists.
	Activate(ctx context.Context, id string) error
	// Exists reports whether the provider still knows key id.
	Exists(ctx context.Context, id string) (bool, error)
	// Revoke revokes key id; a key already gone counts as revoked.
	Revoke(ctx context.Context, id string) error
}
