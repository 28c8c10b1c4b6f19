package testenv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRepoRoot(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatalf("RepoRoot: %v", err)
	}
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatalf("read root go.mod: %v", err)
	}
	if got := modulePath(data); got != rootModule {
		t.Errorf("module of %s: got %q, want %q", root, got, rootModule)
	}
	// The working directory is this nested module; the root must be above it.
	if wd, _ := os.Getwd(); wd == root {
		t.Errorf("RepoRoot: got the working directory %s, want the root module above it", root)
	}
}

func TestModulePath(t *testing.T) {
	tests := []struct {
		name, gomod, want string
	}{
		{"plain", "module github.com/acme/secrets-platform\n\ngo 1.26.6\n", rootModule},
		{"quoted with comment", "// x\nmodule \"github.com/acme/secrets-platform\" // root\n", rootModule},
		{"nested module", "module github.com/acme/secrets-platform/internal/testenv\n", rootModule + "/internal/testenv"},
		{"no module line", "go 1.26.6\n", ""},
		{"modulex is not module", "modulex foo\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := modulePath([]byte(tt.gomod)); got != tt.want {
				t.Errorf("modulePath: got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFreePort(t *testing.T) {
	port, err := FreePort()
	if err != nil {
		t.Fatalf("FreePort: %v", err)
	}
	if port <= 0 || port > 65535 {
		t.Errorf("FreePort: got %d, want a TCP port", port)
	}
}

// TestMissingServiceHints checks that a missing service fails with the
// command that installs it. An empty PATH hides every tool.
func TestMissingServiceHints(t *testing.T) {
	t.Setenv("PATH", "")
	tests := []struct {
		name string
		run  func() error
		want string
	}{
		{"moto", func() error { _, _, err := StartMoto(); return err }, "moto 5.2.1 is preinstalled"},
		{"aws-lambda-rie", func() error { _, err := findRIE(); return err }, "go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@" + rieVersion},
		{"node", func() error { _, err := findIAMSim(); return err }, "install Node 20"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			if err == nil {
				t.Fatalf("error: got nil, want one containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error: got %q, want it to contain %q", err, tt.want)
			}
		})
	}
}
