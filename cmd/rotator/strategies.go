package main

import (
	"github.com/acme/secrets-platform/rotation/engine"
	"github.com/acme/secrets-platform/rotation/strategy/httpkey"
	"github.com/acme/secrets-platform/rotation/strategy/keyring"
	"github.com/acme/secrets-platform/rotation/strategy/postgres"
	"github.com/acme/secrets-platform/rotation/strategy/random"
	"github.com/acme/secrets-platform/rotation/strategy/twilio"
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
