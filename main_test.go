package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/stacktest"
	"github.com/acme/secrets-platform/stack"
)

// TestProgramIsTheComposition runs main's program on every committed stack
// and proves it registers exactly what stack.Compose registers, which is what
// every other test, and the offline plan, examine.
func TestProgramIsTheComposition(t *testing.T) {
	names, err := stacktest.StackNames(".")
	require.NoError(t, err)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			st, err := stacktest.LoadStack(".", name)
			require.NoError(t, err)
			viaProgram, err := stacktest.RunProgram(st, program)
			require.NoError(t, err)
			viaCompose, err := stacktest.Run(st, stack.Compose)
			require.NoError(t, err)
			require.NotEmpty(t, viaProgram.Resources)
			assert.Equal(t, urns(viaCompose), urns(viaProgram))
		})
	}
}

func urns(rec *stacktest.Recording) []string {
	out := make([]string, len(rec.Resources))
	for i, r := range rec.Resources {
		out[i] = r.URN
	}
	return out
}
