package twilio

import (
	"context"
	"fmt"
	"time"

	"github.com/acme/secrets-platform/rotation/engine"
	"github.com/acme/secrets-platform/rotation/grace"
	"github.com/acme/secrets-platform/rotation/strategy/apikey"
)

// Environment variables read by FromEnv and SweeperFromEnv.
const (
	EnvAdminSecretARN = "TWILIO_ADMIN_SECRET_ARN"
	EnvBaseURL        = "TWILIO_API_BASE_URL"
)

// FromEnv builds the strategy from the Lambda's environment; it is an
// engine.Constructor.
func FromEnv(_ context.Context, d engine.Deps) (engine.Strategy, error) {
	return apikey.FromEnv(Name, d, fromEnv)
}

// SweeperFromEnv builds the grace Sweeper that deletes this strategy's old
// keys, for the rotator's SweepEvent.
func SweeperFromEnv(_ context.Context, d engine.Deps) (*grace.Sweeper, error) {
	return apikey.SweeperFromEnv(Name, d, fromEnv)
}

// fromEnv is an apikey.Build: the base URL may be left to its default.
func fromEnv(d engine.Deps, period time.Duration) (*Strategy, error) {
	cfg := Config{
		BaseURL:        d.Getenv(EnvBaseURL),
		AdminSecretARN: d.Getenv(EnvAdminSecretARN),
		SecretsManager: d.SecretsManager,
		HTTP:           d.HTTP,
		Grace:          period,
		Now:            d.Now,
	}
	if cfg.AdminSecretARN == "" {
		return nil, fmt.Errorf("%s is required", EnvAdminSecretARN)
	}
	return New(cfg)
}
