package apikey

import "context"

// Value is a rotated secret's value as a provider reads it. It holds a key's
// secret, which none of its methods may put into an error.
type Value interface {
	// KeyID returns the provider's id of the key the value holds, or "" when it
	// holds none yet (a first value awaiting its first rotation).
	KeyID() string
	// CheckKey reports which part of a key the value lacks. A pending value was
	// made by Create and so must hold every part.
	CheckKey() error
	// Marshal renders the value as JSON, with the fields it does not know
	// carried over.
	Marshal() ([]byte, error)
}

// Provider is what differs between key providers. A is the admin credential,
// the one that may manage keys. Errors name key ids and request paths, never a
// secret.
type Provider[V Value, A any] interface {
	// ParseValue reads a rotated secret's value. Its errors never quote b.
	ParseValue(b []byte) (V, error)
	// ParseAdmin reads the admin secret's value. Its errors never quote b.
	ParseAdmin(b []byte) (A, error)
	// Keys returns the key-management calls of the account v belongs to,
	// authenticated as a.
	Keys(a A, v V) (Keys[V], error)
	// CheckListed reports why id, as a look-up by name listed it, cannot be one
	// of the provider's key ids. Ids go into request paths, so a malformed one
	// must not reach Keys.Revoke.
	CheckListed(id string) error
	// Test calls the provider as the key that pending holds and checks that
	// the provider saw that very key.
	Test(ctx context.Context, pending V) error
}

// Keys are one account's key-management calls, made with the admin credential.
type Keys[V Value] interface {
	// FindByName returns the ids of the keys named name: none, normally; one
	// after a crash.
	FindByName(ctx context.Context, name string) ([]string, error)
	// Create mints a key named name and returns cur holding it instead of cur's
	// key, other fields unchanged.
	Create(ctx context.Context, cur V, name string) (V, error)
	// Activate makes key id usable, idempotently. A provider whose keys work
	// from creation checks that the key still exists.
	Activate(ctx context.Context, id string) error
	// Exists reports whether the provider still knows key id.
	Exists(ctx context.Context, id string) (bool, error)
	// Revoke revokes key id; a key already gone counts as revoked.
	Revoke(ctx context.Context, id string) error
}

// Terms are the words a strategy's errors and logs use for it and its
// provider's calls: those of the provider's own API reference, so that an
// operator can look an error up there.
type Terms struct {
	// Name is the strategy's name in ROTATION_STRATEGY, in logs and in errors.
	Name string
	// Activate names the call behind Keys.Activate ("activate").
	Activate string
	// Get names the call behind Keys.Exists ("get").
	Get string
	// Revoke names the call behind Keys.Revoke ("revoke").
	Revoke string
}
