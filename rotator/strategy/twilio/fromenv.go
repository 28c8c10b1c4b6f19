package twilio

import (
	"context"
	"fmt"

	"github.com/acme/secrets-platform/rotator/engine"
	"github.com/acme/secrets-platform/rotator/grace"
	"github.com/acme/secrets-platform/rotator/strategy/apikey"
)

// Environment variables read by FromEnv and SweeperFromEnv.
const (
	EnvAdminSecretARN = "TWILIO_ADMIN_SECRET_ARN"
	EnvBaseURL        = "TWILIO_API_BASE_URL"
)

// FromEnv builds the strategy from the Lambda's environment; it is an
// engine.Constructor.
func FromEnv(_ context.Context, d engine.Deps) (engine.Strategy, error) {
	return env().Strategy(d)
}

// SweeperFromEnv builds the grace Sweeper that deletes this strategy's old
// keys, for the rotator's SweepEvent.
func SweeperFromEnv(_ context.Context, d engine.Deps) (*grace.Sweeper, error) {
	return env().Sweeper(d)
}

// env reads both variables; the base URL may be left to its default.
func env() apikey.Env[value, admin] {
	return apikey.Env[value, admin]{
		Name: Name, BaseURL: EnvBaseURL, AdminSecretARN: EnvAdminSecretARN,
		New: func(cfg Config) (*Strategy, error) {
			if cfg.AdminSecretARN == "" {
				return nil, fmt.Errorf("%s is required", EnvAdminSecretARN)
			}
			return New(cfg)
		},
	}
}
