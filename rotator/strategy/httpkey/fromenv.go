package httpkey

import (
	"context"
	"fmt"

	"github.com/acme/secrets-platform/rotator/engine"
	"github.com/acme/secrets-platform/rotator/grace"
	"github.com/acme/secrets-platform/rotator/strategy/apikey"
)

// Environment variables read by FromEnv and SweeperFromEnv.
const (
	EnvBaseURL        = "HTTPKEY_BASE_URL"
	EnvAdminSecretARN = "HTTPKEY_ADMIN_SECRET_ARN"
)

// FromEnv builds the strategy from the Lambda's environment; it is an
// engine.Constructor.
func FromEnv(_ context.Context, d engine.Deps) (engine.Strategy, error) {
	return env().Strategy(d)
}

// SweeperFromEnv builds the grace Sweeper that revokes this strategy's old keys,
// for the rotator's SweepEvent.
func SweeperFromEnv(_ context.Context, d engine.Deps) (*grace.Sweeper, error) {
	return env().Sweeper(d)
}

// env reads both variables; both are required.
func env() apikey.Env[value, string] {
	return apikey.Env[value, string]{
		Name: Name, BaseURL: EnvBaseURL, AdminSecretARN: EnvAdminSecretARN,
		New: func(cfg Config) (*Strategy, error) {
			if cfg.BaseURL == "" || cfg.AdminSecretARN == "" {
				return nil, fmt.Errorf("%s and %s are required", EnvBaseURL, EnvAdminSecretARN)
			}
			return New(cfg)
		},
	}
}
