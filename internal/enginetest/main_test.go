package enginetest_test

import (
	"context"
	"os"
	"testing"

	"github.com/acme/secrets-platform/internal/enginetest"
)

// root is the repository root, where Pulumi.yaml and the stacks are.
const root = "../.."

var (
	harness  *enginetest.Harness
	setupErr error
)

func TestMain(m *testing.M) {
	harness, setupErr = enginetest.New(context.Background(), root)
	code := m.Run()
	if harness != nil {
		harness.Close()
	}
	os.Exit(code)
}

// engine returns the harness, or fails the test saying how to get the CLI.
func engine(t *testing.T) *enginetest.Harness {
	t.Helper()
	if setupErr != nil {
		t.Fatalf("the engine tests run the real Pulumi CLI: %v", setupErr)
	}
	return harness
}
