package enginetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/constant"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Project is the program's project name (Pulumi.yaml).
const Project = "secrets-platform"

// Stack is one stack of the program in its own work directory (a copy of
// Pulumi.yaml and the stack's Pulumi.<name>.yaml), on its own local file
// backend, encrypted with its own passphrase.
type Stack struct {
	Name string

	h       *Harness
	dir     string
	backend string
	env     []string
	program pulumi.RunFunc
}

// NewStack creates the stack name in dir (empty, e.g. t.TempDir()) with
// stackFile as its Pulumi.<name>.yaml, as `pulumi stack init
// --secrets-provider passphrase` on a `file://` backend would.
func (h *Harness) NewStack(ctx context.Context, dir, name string, stackFile []byte, program pulumi.RunFunc) (*Stack, error) {
	project, err := os.ReadFile(filepath.Join(h.Root, "Pulumi.yaml"))
	if err != nil {
		return nil, fmt.Errorf("read Pulumi.yaml: %w", err)
	}
	work, backend, home := filepath.Join(dir, "work"), filepath.Join(dir, "backend"), filepath.Join(dir, "home")
	for _, d := range []string{work, backend, home} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("create stack %s: %w", name, err)
		}
	}
	if err := os.WriteFile(filepath.Join(work, "Pulumi.yaml"), project, 0o600); err != nil {
		return nil, fmt.Errorf("create stack %s: %w", name, err)
	}
	if err := os.WriteFile(filepath.Join(work, "Pulumi."+name+".yaml"), stackFile, 0o600); err != nil {
		return nil, fmt.Errorf("create stack %s: %w", name, err)
	}
	pass := make([]byte, 16)
	if _, err := rand.Read(pass); err != nil {
		return nil, fmt.Errorf("create stack %s: %w", name, err)
	}
	s := &Stack{Name: name, h: h, dir: work, backend: backend, program: program}
	// Nothing of the caller's Pulumi setup leaks in: no other backend, no
	// access token, no home with plugins; and nothing is downloaded.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PULUMI_") && !strings.HasPrefix(kv, "PATH=") {
			s.env = append(s.env, kv)
		}
	}
	s.env = append(s.env,
		"PATH="+h.plugins+string(os.PathListSeparator)+os.Getenv("PATH"),
		"PULUMI_BACKEND_URL=file://"+filepath.ToSlash(backend),
		"PULUMI_CONFIG_PASSPHRASE="+hex.EncodeToString(pass),
		"PULUMI_HOME="+home,
		"PULUMI_SKIP_UPDATE_CHECK=true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true",
		// --event-log, which the engine events are read from, needs it.
		"PULUMI_DEBUG_COMMANDS=true",
	)
	if _, err := s.run(ctx, "", "stack", "init", name, "--secrets-provider", "passphrase"); err != nil {
		return nil, err
	}
	return s, nil
}

// Dir is the work directory holding Pulumi.yaml and the stack file.
func (s *Stack) Dir() string { return s.dir }

// StackFile is the path of Pulumi.<name>.yaml.
func (s *Stack) StackFile() string { return filepath.Join(s.dir, "Pulumi."+s.Name+".yaml") }

// SetSecret is `pulumi config set --secret key` with the value on stdin (so
// it appears in no process list); path makes it `--path`.
func (s *Stack) SetSecret(ctx context.Context, key, value string, path bool) error {
	args := []string{"config", "set", "--secret", "--stack", s.Name}
	if path {
		args = append(args, "--path")
	}
	_, err := s.run(ctx, value, append(args, key)...)
	return err
}

// SetPath is `pulumi config set --path key value` (plain text).
func (s *Stack) SetPath(ctx context.Context, key, value string) error {
	_, err := s.run(ctx, "", "config", "set", "--stack", s.Name, "--path", key, value)
	return err
}

// Preview is `pulumi preview` of the program.
func (s *Stack) Preview(ctx context.Context) (*Run, error) {
	return s.operate(ctx, true, "preview")
}

// Up is `pulumi up --yes --skip-preview`.
func (s *Stack) Up(ctx context.Context) (*Run, error) {
	return s.operate(ctx, true, "up", "--yes", "--skip-preview")
}

// Destroy is `pulumi destroy --yes`, preview included as an operator runs it:
// the preview refuses protected resources before anything is deleted
// (--skip-preview would delete the unprotected ones first). It does not run
// the program.
func (s *Stack) Destroy(ctx context.Context) (*Run, error) {
	return s.operate(ctx, false, "destroy", "--yes")
}

// Export is `pulumi stack export --show-secrets`: the checkpoint with secret
// values decrypted.
func (s *Stack) Export(ctx context.Context) (apitype.DeploymentV3, error) {
	var d apitype.DeploymentV3
	out, err := s.run(ctx, "", "stack", "export", "--show-secrets", "--stack", s.Name)
	if err != nil {
		return d, err
	}
	var u apitype.UntypedDeployment
	if err := json.Unmarshal([]byte(out), &u); err != nil {
		return d, fmt.Errorf("read the export of %s: %w", s.Name, err)
	}
	if err := json.Unmarshal(u.Deployment, &d); err != nil {
		return d, fmt.Errorf("read the export of %s: %w", s.Name, err)
	}
	return d, nil
}

// Import is `pulumi stack import`: the stack's checkpoint becomes
// deployment, an export with its secrets decrypted, which this stack's
// secrets provider encrypts again (it replaces the export's own).
func (s *Stack) Import(ctx context.Context, deployment []byte) error {
	var u apitype.UntypedDeployment
	if err := json.Unmarshal(deployment, &u); err != nil {
		return fmt.Errorf("import into %s: %w", s.Name, err)
	}
	var d map[string]json.RawMessage
	if err := json.Unmarshal(u.Deployment, &d); err != nil {
		return fmt.Errorf("import into %s: %w", s.Name, err)
	}
	out, err := s.run(ctx, "", "stack", "export", "--stack", s.Name)
	if err != nil {
		return err
	}
	var own struct {
		Deployment struct {
			SecretsProviders json.RawMessage `json:"secrets_providers"`
		} `json:"deployment"`
	}
	if err := json.Unmarshal([]byte(out), &own); err != nil || own.Deployment.SecretsProviders == nil {
		return fmt.Errorf("import into %s: read its own secrets provider: %v", s.Name, err)
	}
	d["secrets_providers"] = own.Deployment.SecretsProviders
	if u.Deployment, err = json.Marshal(d); err != nil {
		return fmt.Errorf("import into %s: %w", s.Name, err)
	}
	b, err := json.Marshal(u)
	if err != nil {
		return fmt.Errorf("import into %s: %w", s.Name, err)
	}
	f := filepath.Join(s.dir, fmt.Sprintf("import-%d.json", time.Now().UnixNano()))
	if err := os.WriteFile(f, b, 0o600); err != nil {
		return fmt.Errorf("import into %s: %w", s.Name, err)
	}
	defer os.Remove(f)
	_, err = s.run(ctx, "", "stack", "import", "--file", f, "--stack", s.Name)
	return err
}

// Shell runs a bash script in the stack's work directory as an operator
// would with this stack selected: the CLI as pulumi on PATH, the stack's
// backend and passphrase in the environment. It returns stdout.
func (s *Stack) Shell(ctx context.Context, script string) (string, error) {
	cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", script)
	cmd.Dir = s.dir
	cmd.Env = append(slices.Clone(s.env), "PATH="+filepath.Dir(s.h.cli())+string(os.PathListSeparator)+s.h.plugins+string(os.PathListSeparator)+os.Getenv("PATH"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("run a script on stack %s: %w\n%s", s.Name, err, tail(stderr.String()+stdout.String(), 3000))
	}
	return stdout.String(), nil
}

// Outputs is what `pulumi stack output --json` prints, with --show-secrets
// when showSecrets.
func (s *Stack) Outputs(ctx context.Context, showSecrets bool) (string, error) {
	args := []string{"stack", "output", "--json", "--stack", s.Name}
	if showSecrets {
		args = append(args, "--show-secrets")
	}
	return s.run(ctx, "", args...)
}

// Checkpoint returns the backend's state file as stored on disk.
func (s *Stack) Checkpoint() ([]byte, error) {
	path := filepath.Join(s.backend, ".pulumi", "stacks", Project, s.Name+".json")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the checkpoint of %s: %w", s.Name, err)
	}
	return b, nil
}

// operate runs an engine operation, with the program served to the CLI when
// it needs it, and reads the engine's events.
func (s *Stack) operate(ctx context.Context, withProgram bool, args ...string) (*Run, error) {
	events := filepath.Join(s.dir, fmt.Sprintf("events-%d.jsonl", time.Now().UnixNano()))
	args = append(args, "--stack", s.Name, "--non-interactive", "--event-log", events)
	if withProgram {
		addr, stop, err := serveProgram(s.program)
		if err != nil {
			return nil, err
		}
		defer stop()
		args = append(args, "--client="+addr, "--exec-kind="+constant.ExecKindAutoInline)
	}
	start := time.Now()
	_, runErr := s.run(ctx, "", args...)
	r, err := readEvents(events)
	if err != nil && runErr == nil {
		return nil, err
	}
	if r == nil {
		r = &Run{}
	}
	r.Duration = time.Since(start)
	if runErr != nil {
		return r, fmt.Errorf("%w%s", runErr, r.errors())
	}
	return r, nil
}

// run runs the CLI in the work directory and returns its stdout. Its error
// holds the end of the CLI's output, which shows secret values as [secret].
func (s *Stack) run(ctx context.Context, stdin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, s.h.cli(), args...)
	cmd.Dir = s.dir
	cmd.Env = s.env
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("pulumi %s (stack %s): %w\n%s", strings.Join(args[:min(2, len(args))], " "), s.Name, err,
			tail(stderr.String()+stdout.String(), 3000))
	}
	return stdout.String(), nil
}

// tail keeps the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
