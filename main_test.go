package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/stack"
)

// TestProgramIsTheComposition runs main's program on every committed stack
// and proves it registers exactly what stack.Compose registers, which is what
// every other test, and the offline plan, examine.
func TestProgramIsTheComposition(t *testing.T) {
	names, err := mockrun.StackNames(".")
	require.NoError(t, err)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			st, err := mockrun.LoadStack(".", name)
			require.NoError(t, err)
			viaProgram, err := mockrun.RunProgram(st, program)
			require.NoError(t, err)
			viaCompose, err := mockrun.Run(st, stack.Compose)
			require.NoError(t, err)
			require.NotEmpty(t, viaProgram.Resources)
			assert.Equal(t, urns(viaCompose), urns(viaProgram))
		})
	}
}

func urns(rec *mockrun.Recording) []string {
	out := make([]string, len(rec.Resources))
	for i, r := range rec.Resources {
		out[i] = r.URN
	}
	return out
}

// TestProgramLinksOnlyTheRotatorsContract fails when the Pulumi program links
// any of the rotator's runtime (engine, grace, strategies and their clients):
// the two sides share rotator/contract and nothing else.
func TestProgramLinksOnlyTheRotatorsContract(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	require.NoError(t, err, "go list -deps: %s", out)
	deps := strings.Fields(string(out))
	const module = "github.com/acme/secrets-platform/"
	require.Contains(t, deps, module+"rotation", "the program does not link its rotation components")
	require.Contains(t, deps, module+"rotator/contract", "the program does not link the rotator's contract")
	for _, d := range deps {
		if strings.HasPrefix(d, module+"rotator/") && d != module+"rotator/contract" || strings.HasPrefix(d, module+"cmd/") {
			t.Errorf("the program links the runtime package %s; share it through rotator/contract instead", d)
		}
		if strings.HasPrefix(d, "github.com/jackc/") || strings.HasPrefix(d, "github.com/aws/aws-lambda-go") {
			t.Errorf("the program links the runtime's dependency %s", d)
		}
	}
}
