package enginetest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// EnvCLI names the variable holding the path of the Pulumi CLI binary.
const EnvCLI = "SECRETS_PLATFORM_PULUMI_CLI"

// BuildHint is how to get the CLI, for failure messages.
const BuildHint = "build it and point the tests at it: export " + EnvCLI + "=$(scripts/pulumi-cli.sh) (scripts/test.sh does this)"

// Harness is what every engine test of one test process shares: the CLI and
// the stand-in plugins, built once.
type Harness struct {
	// Root is the repository root, the directory of the program's go.mod.
	Root string
	// SDKVersion is the Pulumi SDK version in go.mod, which the CLI must match.
	SDKVersion string

	cliRoot string // a directory whose bin/pulumi is the CLI
	plugins string // holds pulumi-resource-aws and pulumi-resource-random
	tmp     string
}

// New checks the CLI named by SECRETS_PLATFORM_PULUMI_CLI against the SDK
// version of root's go.mod and builds the stand-in plugins with the plugin
// versions the program's SDK packages request. Close removes what it built.
func New(ctx context.Context, root string) (*Harness, error) {
	cli := os.Getenv(EnvCLI)
	if cli == "" {
		return nil, fmt.Errorf("%s is not set; %s", EnvCLI, BuildHint)
	}
	if _, err := os.Stat(cli); err != nil {
		return nil, fmt.Errorf("%s=%s: %w; %s", EnvCLI, cli, err, BuildHint)
	}
	versions, err := ModuleVersions(ctx, root, sdkModule, awsModule, randomModule)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "enginetest-")
	if err != nil {
		return nil, fmt.Errorf("create harness directory: %w", err)
	}
	h := &Harness{Root: root, SDKVersion: versions[sdkModule], tmp: tmp,
		cliRoot: filepath.Join(tmp, "cli"), plugins: filepath.Join(tmp, "plugins")}
	if err := h.linkCLI(cli); err != nil {
		h.Close()
		return nil, err
	}
	for _, p := range []struct{ name, version string }{
		{"pulumi-resource-aws", versions[awsModule]},
		{"pulumi-resource-random", versions[randomModule]},
	} {
		if err := h.buildPlugin(ctx, p.name, p.version); err != nil {
			h.Close()
			return nil, err
		}
	}
	return h, nil
}

// Close removes the plugins and the CLI link.
func (h *Harness) Close() { os.RemoveAll(h.tmp) }

const (
	sdkModule    = "github.com/pulumi/pulumi/sdk/v3"
	awsModule    = "github.com/pulumi/pulumi-aws/sdk/v6"
	randomModule = "github.com/pulumi/pulumi-random/sdk/v4"
)

// ModuleVersions returns the versions go.mod in dir selects for modules.
func ModuleVersions(ctx context.Context, dir string, modules ...string) (map[string]string, error) {
	args := append([]string{"list", "-m", "-f", "{{.Path}} {{.Version}}"}, modules...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return nil, fmt.Errorf("go list -m in %s: %w: %s", dir, err, exit.Stderr)
		}
		return nil, fmt.Errorf("go list -m in %s: %w", dir, err)
	}
	versions := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if path, v, ok := strings.Cut(line, " "); ok {
			versions[path] = v
		}
	}
	for _, m := range modules {
		if versions[m] == "" {
			return nil, fmt.Errorf("go.mod in %s requires no %s", dir, m)
		}
	}
	return versions, nil
}

// linkCLI links the CLI into the harness directory and checks that it reports the SDK's version.
func (h *Harness) linkCLI(cli string) error {
	abs, err := filepath.Abs(cli)
	if err != nil {
		return fmt.Errorf("locate the CLI: %w", err)
	}
	bin := filepath.Join(h.cliRoot, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return fmt.Errorf("link the CLI: %w", err)
	}
	if err := os.Symlink(abs, filepath.Join(bin, "pulumi")); err != nil {
		return fmt.Errorf("link the CLI: %w", err)
	}
	cmd := exec.Command(abs, "version")
	cmd.Env = append(os.Environ(), "PULUMI_SKIP_UPDATE_CHECK=true")
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("run %s version: %w; %s", abs, err, BuildHint)
	}
	if got := strings.TrimSpace(string(out)); got != h.SDKVersion {
		return fmt.Errorf("the CLI at %s is %q, the SDK in go.mod is %s; %s", abs, got, h.SDKVersion, BuildHint)
	}
	return nil
}

// cli is the path the harness runs the CLI by.
func (h *Harness) cli() string { return filepath.Join(h.cliRoot, "bin", "pulumi") }

// buildPlugin builds one stand-in with the version the engine will ask for.
func (h *Harness) buildPlugin(ctx context.Context, name, version string) error {
	cmd := exec.CommandContext(ctx, "go", "build",
		"-ldflags", "-X main.version="+strings.TrimPrefix(version, "v"),
		"-o", filepath.Join(h.plugins, name), "./internal/standin/cmd/"+name)
	cmd.Dir = h.Root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build %s: %w\n%s", name, err, out)
	}
	return nil
}
