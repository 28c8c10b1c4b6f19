//go:build !rotatortest

package main

import "github.com/acme/secrets-platform/rotator/contract"

// testSettings are none in the deployed build: whoever can edit a function's
// environment must not choose where a credential goes, so the build that
// rotation/artifact makes (no build tags) never reads a test-only variable.
func testSettings(func(string) string) contract.TestSettings { return contract.TestSettings{} }
