package apikey

import (
	"fmt"
	"time"

	"github.com/acme/secrets-platform/rotation/engine"
	"github.com/acme/secrets-platform/rotation/grace"
)

// Build makes a provider's Strategy from the Lambda's environment (d.Getenv),
// once FromEnv has checked d and read the grace period.
type Build[V Value, A any] func(d engine.Deps, period time.Duration) (*Strategy[V, A], error)

// FromEnv checks d, reads GRACE_PERIOD and builds the strategy named name with
// build. Its errors begin "<name> from env".
func FromEnv[V Value, A any](name string, d engine.Deps, build Build[V, A]) (*Strategy[V, A], error) {
	if d.Getenv == nil || d.SecretsManager == nil {
		return nil, fmt.Errorf("%s from env: Getenv and SecretsManager are required", name)
	}
	period, err := grace.PeriodFromEnv(d.Getenv)
	if err != nil {
		return nil, fmt.Errorf("%s from env: %w", name, err)
	}
	s, err := build(d, period)
	if err != nil {
		return nil, fmt.Errorf("%s from env: %w", name, err)
	}
	return s, nil
}

// SweeperFromEnv builds, as FromEnv does, the strategy named name, and returns
// the grace Sweeper that revokes its old keys, for the rotator's SweepEvent.
func SweeperFromEnv[V Value, A any](name string, d engine.Deps, build Build[V, A]) (*grace.Sweeper, error) {
	s, err := FromEnv(name, d, build)
	if err != nil {
		return nil, err
	}
	period, err := grace.PeriodFromEnv(d.Getenv)
	if err != nil {
		return nil, fmt.Errorf("%s sweeper: %w", name, err)
	}
	return grace.NewSweeper(d.SecretsManager, s, period, d.Now)
}
