// Package gocmd runs the go command for this module's tests, which build
// secretcache the way an application does.
package gocmd

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// timeout only stops a hung toolchain: a cold build of a package that imports
// the AWS SDK takes minutes on two shared cores.
const timeout = 10 * time.Minute

// Run runs go with args in dir, with env added to this process's environment
// (a later entry wins), and returns its combined output. The output names
// modules, packages and source lines, never a secret value.
func Run(ctx context.Context, dir string, env []string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("go %s in %s: %w", strings.Join(args, " "), dir, err)
	}
	return out.String(), nil
}

// ModuleDir returns the directory that holds module path's source, as this
// module's build resolves it (for secretcache, through its replace directive).
func ModuleDir(t testing.TB, path string) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatalf("find module %s: %v", path, err)
	}
	out, err := Run(t.Context(), wd, nil, "list", "-m", "-f", "{{.Dir}}", path)
	if err != nil {
		t.Fatalf("find module %s: %v\n%s", path, err, out)
	}
	dir := strings.TrimSpace(out)
	if dir == "" {
		t.Fatalf("find module %s: go list -m names no directory", path)
	}
	return dir
}
