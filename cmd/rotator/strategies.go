package main

import (
	"github.com/acme/secrets-platform/rotation/engine"
	"github.com/acme/secrets-platform/rotation/strategy/keyring"
	"github.com/acme/secrets-platform/rotation/strategy/random"
)

// strategies maps ROTATION_STRATEGY values to strategy constructors. It is a
// function, not a package variable, so that nothing can change it at run time.
//
// ADD STRATEGIES HERE: one line per strategy package, keyed by the value the
// Pulumi program sets in ROTATION_STRATEGY. Each package exports FromEnv of
// type engine.Constructor and documents its own environment variables.
func strategies() map[string]engine.Constructor {
	return map[string]engine.Constructor{
		"random":  random.FromEnv,
		"keyring": keyring.FromEnv,
		// --- HTTP/Twilio strategies (e.g. "http", "twilio") go here.
		// --- PostgreSQL strategies (single-user, alternating users) go here.
	}
}
