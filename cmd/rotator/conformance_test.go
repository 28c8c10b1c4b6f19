package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/rotator/contract"
)

// TestConformance runs the one conformance suite (internal/rotatortest) over
// every strategy, each built by this command's own wiring from the settings
// the program writes, against moto, PostgreSQL with TLS and stand-ins of the
// key APIs.
func TestConformance(t *testing.T) {
	env := rotatortest.New(t)
	var covered []contract.Strategy
	for _, s := range newSubjects(t, env) {
		covered = append(covered, s.settings.Strategy)
		t.Run(s.Name, func(t *testing.T) { rotatortest.RunSuite(t, env, s.Subject) })
	}
	assert.ElementsMatch(t, contract.Strategies(), covered, "the conformance table must cover every strategy")
}
