package engine

import (
	"context"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Deps is what the rotator's main hands to a strategy constructor: the process
// environment the program set on the Lambda, and the clients built once at start.
type Deps struct {
	// Getenv reads the Lambda's environment (os.Getenv in production).
	Getenv func(string) string
	// SecretsManager is the client for secrets a strategy reads besides the one
	// under rotation (a database master secret, a provider's admin credential).
	SecretsManager *secretsmanager.Client
	// HTTP is the client for third-party key APIs.
	HTTP *http.Client
	// Now is the clock.
	Now func() time.Time
}

// Constructor builds a strategy from its environment; each strategy package
// exports one (FromEnv), and the rotator's main picks it by ROTATION_STRATEGY.
type Constructor func(ctx context.Context, d Deps) (Strategy, error)
