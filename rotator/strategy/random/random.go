// Package random is the rotation strategy for a secret whose whole value is a
// generated password or token that nothing downstream has to accept.
//
// Applications read the value from Secrets Manager (a shared token, an HMAC
// secret, an app-level password checked against the secret itself). Its shape
// is the secret's contract.PasswordShape, drawn by package password. Set and
// Test have no downstream service to talk to, so the strategy reads no value
// in them (see Needs): a full rotation costs 8 Secrets Manager calls.
package random

import (
	"context"
	"fmt"

	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/engine"
	"github.com/acme/secrets-platform/rotator/password"
)

// Strategy rotates a random value. It implements engine.Strategy and
// engine.ValueNeeds.
type Strategy struct {
	passwords *password.Generator
}

var (
	_ engine.Strategy   = (*Strategy)(nil)
	_ engine.ValueNeeds = (*Strategy)(nil)
)

// New returns a strategy that generates values of shape s.
func New(s contract.PasswordShape) (*Strategy, error) {
	g, err := password.New(s, "")
	if err != nil {
		return nil, fmt.Errorf("new random strategy: %w", err)
	}
	return &Strategy{passwords: g}, nil
}

// Name implements engine.Strategy.
func (s *Strategy) Name() string { return string(contract.Random) }

// Needs implements engine.ValueNeeds: Set and Test read nothing.
func (s *Strategy) Needs() engine.Needs { return engine.Needs{} }

// Create implements engine.Strategy: a fresh value.
func (s *Strategy) Create(context.Context, engine.Rotation) ([]byte, error) {
	v, err := s.passwords.Generate()
	if err != nil {
		return nil, err
	}
	return []byte(v), nil
}

// Set implements engine.Strategy; no service needs the value.
func (s *Strategy) Set(context.Context, engine.Rotation) error { return nil }

// Test implements engine.Strategy; Create already drew a value of the shape,
// and there is no service to try it against.
func (s *Strategy) Test(context.Context, engine.Rotation) error { return nil }
