package mockrun

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
)

// Stack is a stack's config as the Pulumi engine would hand it to the program.
type Stack struct {
	Project string
	Name    string
	// Dir is the project directory (where Pulumi.yaml is), which the engine
	// hands the program as its root directory; catalog files are read there.
	Dir string
	// Config maps fully qualified keys to values (objects and arrays as JSON),
	// project defaults from Pulumi.yaml applied.
	Config map[string]string
	// SecretKeys were set with --secret.
	SecretKeys []string
	// Secure lists the committed keys whose values are encrypted and must be
	// supplied with WithSecret to be readable (the committed stacks have none).
	Secure []string
}

// StackNames lists the stacks committed in dir: every Pulumi.<name>.yaml, so a
// new stack file is picked up with no code change.
func StackNames(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "Pulumi.*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("list stack files: %w", err)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "Pulumi."), ".yaml"))
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no Pulumi.<stack>.yaml in %s", dir)
	}
	slices.Sort(names)
	return names, nil
}

// LoadStack reads Pulumi.yaml and Pulumi.<name>.yaml from dir with the Pulumi
// SDK's own loaders and applies the project's config defaults the way the CLI
// does: a default fills a key only when the stack does not set it.
func LoadStack(dir, name string) (Stack, error) {
	proj, err := workspace.LoadProject(filepath.Join(dir, "Pulumi.yaml"))
	if err != nil {
		return Stack{}, fmt.Errorf("load Pulumi.yaml: %w", err)
	}
	path := filepath.Join(dir, "Pulumi."+name+".yaml")
	if _, err := os.Stat(path); err != nil {
		return Stack{}, fmt.Errorf("load stack %s: %w", name, err)
	}
	ps, err := workspace.LoadProjectStack(nil, proj, path)
	if err != nil {
		return Stack{}, fmt.Errorf("load stack %s: %w", name, err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Stack{}, fmt.Errorf("load stack %s: %w", name, err)
	}
	st := Stack{Project: string(proj.Name), Name: name, Dir: abs, Config: map[string]string{}}
	for k, v := range ps.Config {
		full := k.String()
		if v.Secure() {
			st.Secure = append(st.Secure, full)
			continue
		}
		s, err := v.Value(config.NewBlindingDecrypter())
		if err != nil {
			return Stack{}, fmt.Errorf("read %s of stack %s: %w", full, name, err)
		}
		st.Config[full] = s
	}
	for k, t := range proj.Config {
		full := k
		if !strings.Contains(k, ":") {
			full = st.Project + ":" + k
		}
		if _, set := st.Config[full]; set || slices.Contains(st.Secure, full) {
			continue
		}
		def := t.Default
		if def == nil {
			def = t.Value
		}
		if def == nil {
			continue
		}
		s, err := configString(def)
		if err != nil {
			return Stack{}, fmt.Errorf("default of %s: %w", full, err)
		}
		st.Config[full] = s
	}
	slices.Sort(st.Secure)
	return st, nil
}

// WithSecret returns a copy of the stack with a secret config value, as
// `pulumi config set --secret` would give it (tests use placeholders).
func (s Stack) WithSecret(key, value string) Stack {
	s.Config = maps.Clone(s.Config)
	s.Config[s.Project+":"+key] = value
	s.SecretKeys = append(slices.Clone(s.SecretKeys), s.Project+":"+key)
	return s
}

// With returns a copy of the stack with one plain config value replaced
// (unqualified keys are in the project namespace); "" deletes the key.
func (s Stack) With(key, value string) Stack {
	if !strings.Contains(key, ":") {
		key = s.Project + ":" + key
	}
	s.Config = maps.Clone(s.Config)
	if value == "" {
		delete(s.Config, key)
	} else {
		s.Config[key] = value
	}
	return s
}

// configString renders a config value the way the engine hands it to programs.
func configString(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case bool, int, float64:
		return fmt.Sprint(v), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}
