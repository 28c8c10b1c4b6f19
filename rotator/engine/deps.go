package engine

import (
	"context"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/metric"
)

// Deps is what the rotator's main hands to a strategy constructor: the
// function's settings, read once through contract.FromEnv, and the clients
// built once at start.
type Deps struct {
	// Settings are the function's settings; a constructor reads its
	// strategy's part (Password, Keyring, KeyAPI, Database).
	Settings contract.Settings
	// SecretsManager is the client for secrets a strategy reads besides the one
	// under rotation (a database master secret, a provider's admin credential).
	SecretsManager *secretsmanager.Client
	// HTTP is the client for third-party key APIs.
	HTTP *http.Client
	// Now is the clock.
	Now func() time.Time
	// Metrics writes the function's CloudWatch metrics; nil outside a
	// Lambda, where there is no function to name them by.
	Metrics *metric.Emitter
}

// Constructor builds a strategy from Deps; the rotator's main keeps one per
// contract.Strategy.
type Constructor func(ctx context.Context, d Deps) (Strategy, error)
