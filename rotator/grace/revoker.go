package grace

import (
	"context"

	"github.com/acme/secrets-platform/rotator/engine"
)

// Revoker is what the grace logic needs from a key strategy (httpkey, twilio).
// Each method reads the key from a secret version's value; none may put that
// value, or any secret in it, into an error.
type Revoker interface {
	// KeyID returns the provider's identifier of the key that v holds, or ""
	// when v holds no key yet (a first value awaiting its first rotation).
	// The identifier is not secret and may be logged.
	KeyID(v engine.Version) (string, error)
	// Revoke revokes the key that v holds. It is idempotent: a key the
	// provider no longer knows counts as revoked.
	Revoke(ctx context.Context, v engine.Version) error
	// Active reports whether the provider still knows the key that v holds,
	// so that an operator who revoked a key by hand is not blocked by the Gate.
	Active(ctx context.Context, v engine.Version) (bool, error)
}
