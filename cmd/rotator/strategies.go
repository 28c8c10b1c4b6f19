package main

import (
	"github.com/acme/secrets-platform/rotator/engine"
	"github.com/acme/secrets-platform/rotator/strategy/httpkey"
	"github.com/acme/secrets-platform/rotator/strategy/keyring"
	"github.com/acme/secrets-platform/rotator/strategy/postgres"
	"github.com/acme/secrets-platform/rotator/strategy/random"
	"github.com/acme/secrets-platform/rotator/strategy/twilio"
)

// strategies maps ROTATION_STRATEGY values to strategy constructors. The keys
// are the config's rotation.strategy names, which the Pulumi program sets
// as they are. It is a function, not a package variable, so that nothing can
// change it at run time.
func strategies() map[string]engine.Constructor {
	return map[string]engine.Constructor{
		"random":                     random.FromEnv,
		"keyring":                    keyring.FromEnv,
		"http":                       httpkey.FromEnv,
		"twilio":                     twilio.FromEnv,
		"postgres-single-user":       postgres.SingleUserFromEnv,
		"postgres-alternating-users": postgres.AlternatingUsersFromEnv,
	}
}
