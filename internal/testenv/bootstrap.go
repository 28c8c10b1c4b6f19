package testenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// BuildBootstrap compiles the Lambda main package pkg (a path relative to the
// repository root, such as ./cmd/rotator) into t.TempDir()/bootstrap with the
// flags of the deploy build, but for this machine's GOOS/GOARCH: the deploy
// target is linux/arm64 and aws-lambda-rie runs only host binaries. tags are
// build tags added to the deploy build's (a test build, such as rotatortest);
// none builds what is deployed.
func BuildBootstrap(t testing.TB, pkg string, tags ...string) string {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatalf("build bootstrap %s: %v", pkg, err)
	}
	out, err := buildBootstrap(context.Background(), root, pkg, t.TempDir(), tags...)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return out
}

// buildBootstrap runs the build in dir, the directory of the module that
// holds pkg, and returns the path of outDir/bootstrap.
func buildBootstrap(ctx context.Context, dir, pkg, outDir string, tags ...string) (string, error) {
	// A cold build of a package that imports the AWS SDK takes minutes on
	// two shared cores; the limit only stops a hung toolchain.
	ctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()
	out := filepath.Join(outDir, "bootstrap")
	cmd := exec.CommandContext(ctx, "go", buildArgs(pkg, out, tags)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build bootstrap %s: %w\n%s", pkg, err, msg)
	}
	return out, nil
}

// buildArgs are the go command's arguments: the deploy build's flags, with
// tags added to its lambda.norpc.
func buildArgs(pkg, out string, tags []string) []string {
	return []string{"build",
		"-tags", strings.Join(append([]string{"lambda.norpc"}, tags...), ","),
		"-trimpath", "-ldflags=-s -w -buildid=",
		"-o", out, pkg}
}
