package main

import (
	"context"

	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/engine"
	"github.com/acme/secrets-platform/rotator/strategy/apikey"
	"github.com/acme/secrets-platform/rotator/strategy/httpkey"
	"github.com/acme/secrets-platform/rotator/strategy/keyring"
	"github.com/acme/secrets-platform/rotator/strategy/postgres"
	"github.com/acme/secrets-platform/rotator/strategy/random"
	"github.com/acme/secrets-platform/rotator/strategy/twilio"
)

// strategies maps each contract.Strategy to its constructor, which hands the
// strategy its part of the settings. test are the test-only settings, zero in
// the deployed build (see testSettings). It is a function, not a package
// variable, so that nothing can change it at run time.
func strategies(test contract.TestSettings) map[contract.Strategy]engine.Constructor {
	return map[contract.Strategy]engine.Constructor{
		contract.Random: func(_ context.Context, d engine.Deps) (engine.Strategy, error) {
			return random.New(d.Settings.Password)
		},
		contract.Keyring: func(_ context.Context, d engine.Deps) (engine.Strategy, error) {
			return keyring.New(d.Settings.Keyring, nil, d.Now, d.Metrics)
		},
		contract.HTTPKey: func(_ context.Context, d engine.Deps) (engine.Strategy, error) {
			return httpkey.New(d.Settings.KeyAPI, clients(d))
		},
		contract.Twilio: func(_ context.Context, d engine.Deps) (engine.Strategy, error) {
			return twilio.New(d.Settings.KeyAPI, test.TwilioBaseURL, clients(d))
		},
		contract.PostgresSingleUser: func(_ context.Context, d engine.Deps) (engine.Strategy, error) {
			return postgres.NewSingleUser(databaseConfig(d, test), d.SecretsManager)
		},
		contract.PostgresAlternatingUsers: func(_ context.Context, d engine.Deps) (engine.Strategy, error) {
			return postgres.NewAlternatingUsers(databaseConfig(d, test), d.SecretsManager)
		},
	}
}

// clients are the key strategies' clients.
func clients(d engine.Deps) apikey.Clients {
	return apikey.Clients{SecretsManager: d.SecretsManager, HTTP: d.HTTP, Now: d.Now}
}

// databaseConfig is the postgres strategies' configuration.
func databaseConfig(d engine.Deps, test contract.TestSettings) postgres.Config {
	return postgres.Config{Password: d.Settings.Password, Logins: d.Settings.Database, RootCertFile: test.RootCAFile}
}
