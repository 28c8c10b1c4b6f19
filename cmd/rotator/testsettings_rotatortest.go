//go:build rotatortest

package main

import "github.com/acme/secrets-platform/rotator/contract"

// testSettings reads the test-only settings, in a build with the rotatortest
// tag only: the tests' own PostgreSQL CA and Twilio server.
func testSettings(getenv func(string) string) contract.TestSettings {
	return contract.TestSettingsFromEnv(getenv)
}
