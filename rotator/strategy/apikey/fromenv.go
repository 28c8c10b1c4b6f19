package apikey

import (
	"fmt"

	"github.com/acme/secrets-platform/rotator/engine"
	"github.com/acme/secrets-platform/rotator/grace"
)

// Env is how a provider's strategy is built from the Lambda's environment.
type Env[V Value, A any] struct {
	// Name is the strategy's name; errors begin "<Name> from env" or
	// "<Name> sweeper".
	Name string
	// BaseURL and AdminSecretARN name the variables that Config's fields of
	// the same names are read from.
	BaseURL, AdminSecretARN string
	// New is the provider's New, after a check that the variables the
	// provider requires are set.
	New func(cfg Config) (*Strategy[V, A], error)
}

// Strategy checks d, reads the variables and GRACE_PERIOD, and builds the
// strategy.
func (e Env[V, A]) Strategy(d engine.Deps) (*Strategy[V, A], error) {
	if d.Getenv == nil || d.SecretsManager == nil {
		return nil, fmt.Errorf("%s from env: Getenv and SecretsManager are required", e.Name)
	}
	period, err := grace.PeriodFromEnv(d.Getenv)
	if err != nil {
		return nil, fmt.Errorf("%s from env: %w", e.Name, err)
	}
	s, err := e.New(Config{
		BaseURL:        d.Getenv(e.BaseURL),
		AdminSecretARN: d.Getenv(e.AdminSecretARN),
		SecretsManager: d.SecretsManager,
		HTTP:           d.HTTP,
		Grace:          period,
		Now:            d.Now,
	})
	if err != nil {
		return nil, fmt.Errorf("%s from env: %w", e.Name, err)
	}
	return s, nil
}

// Sweeper builds the strategy as Strategy does and returns the grace Sweeper
// that revokes its old keys, for the rotator's SweepEvent.
func (e Env[V, A]) Sweeper(d engine.Deps) (*grace.Sweeper, error) {
	s, err := e.Strategy(d)
	if err != nil {
		return nil, err
	}
	period, err := grace.PeriodFromEnv(d.Getenv)
	if err != nil {
		return nil, fmt.Errorf("%s sweeper: %w", e.Name, err)
	}
	return grace.NewSweeper(d.SecretsManager, s, period, d.Now)
}
