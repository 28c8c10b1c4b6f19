package twilio

import (
	"context"
	"errors"
	"fmt"

	"github.com/acme/secrets-platform/rotation/engine"
	"github.com/acme/secrets-platform/rotation/grace"
)

// Environment variables read by FromEnv and SweeperFromEnv.
const (
	EnvAdminSecretARN = "TWILIO_ADMIN_SECRET_ARN"
	EnvBaseURL        = "TWILIO_API_BASE_URL"
)

// FromEnv builds the strategy from the Lambda's environment; it is an
// engine.Constructor.
func FromEnv(_ context.Context, d engine.Deps) (engine.Strategy, error) {
	return fromEnv(d)
}

// SweeperFromEnv builds the grace Sweeper that deletes this strategy's old
// keys, for the rotator's SweepEvent.
func SweeperFromEnv(_ context.Context, d engine.Deps) (*grace.Sweeper, error) {
	s, err := fromEnv(d)
	if err != nil {
		return nil, err
	}
	period, err := grace.PeriodFromEnv(d.Getenv)
	if err != nil {
		return nil, fmt.Errorf("twilio sweeper: %w", err)
	}
	return grace.NewSweeper(d.SecretsManager, s, period, d.Now)
}

func fromEnv(d engine.Deps) (*Strategy, error) {
	if d.Getenv == nil || d.SecretsManager == nil {
		return nil, errors.New("twilio from env: Getenv and SecretsManager are required")
	}
	period, err := grace.PeriodFromEnv(d.Getenv)
	if err != nil {
		return nil, fmt.Errorf("twilio from env: %w", err)
	}
	cfg := Config{
		BaseURL:        d.Getenv(EnvBaseURL),
		AdminSecretARN: d.Getenv(EnvAdminSecretARN),
		SecretsManager: d.SecretsManager,
		HTTP:           d.HTTP,
		Grace:          period,
		Now:            d.Now,
	}
	if cfg.AdminSecretARN == "" {
		return nil, fmt.Errorf("twilio from env: %s is required", EnvAdminSecretARN)
	}
	s, err := New(cfg)
	if err != nil {
		return nil, fmt.Errorf("twilio from env: %w", err)
	}
	return s, nil
}
