package delivery

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/acme/secrets-platform/internal/testenv"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// workflow is the part of a GitHub Actions workflow file the tests read.
type workflow struct {
	File string         `yaml:"-"`
	On   yaml.Node      `yaml:"on"`
	Jobs map[string]job `yaml:"jobs"`
}

// job is one job: steps, or a call of a reusable workflow (Uses, With).
type job struct {
	Needs          any               `yaml:"needs"`
	TimeoutMinutes int               `yaml:"timeout-minutes"`
	Environment    string            `yaml:"environment"`
	Permissions    map[string]string `yaml:"permissions"`
	Uses           string            `yaml:"uses"`
	With           map[string]string `yaml:"with"`
	Strategy       struct {
		Matrix struct {
			Include []map[string]string `yaml:"include"`
		} `yaml:"matrix"`
	} `yaml:"strategy"`
	Steps []step `yaml:"steps"`
}

// step is one step of a job.
type step struct {
	Name string            `yaml:"name"`
	ID   string            `yaml:"id"`
	If   string            `yaml:"if"`
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	With map[string]string `yaml:"with"`
}

// action is the owner/repo of a step's uses: "" for a run step.
func (s step) action() string {
	name, _, _ := strings.Cut(s.Uses, "@")
	return name
}

// repoRoot is the repository root, failing the test when it is not found.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := testenv.RepoRoot()
	require.NoError(t, err)
	return root
}

// loadWorkflows parses every .github/workflows/*.yml (and *.yaml).
func loadWorkflows(t *testing.T) map[string]workflow {
	t.Helper()
	root := repoRoot(t)
	files, err := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.y*ml"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no workflow in .github/workflows")
	out := map[string]workflow{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		var w workflow
		require.NoError(t, yaml.Unmarshal(raw, &w), "parse %s", f)
		w.File = filepath.Base(f)
		out[w.File] = w
	}
	return out
}

// sortedJobs returns a workflow's job names in order, for stable messages.
func sortedJobs(w workflow) []string {
	var names []string
	for n := range w.Jobs {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// goModVersion returns the version the go.mod at file (relative to the
// repository root) requires of module path.
func goModVersion(t *testing.T, file, path string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), file))
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^\s*(?:require\s+)?` + regexp.QuoteMeta(path) + `\s+(v\S+)`).FindSubmatch(raw)
	require.NotNil(t, m, "%s requires no %s", file, path)
	return string(m[1])
}

// committedStacks lists the stacks of Pulumi.<stack>.yaml at the root.
func committedStacks(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot(t), "Pulumi.*.yaml"))
	require.NoError(t, err)
	var out []string
	for _, f := range files {
		out = append(out, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "Pulumi."), ".yaml"))
	}
	require.NotEmpty(t, out)
	slices.Sort(out)
	return out
}

// accountSetup is what a bootstrap stack (bootstrap/Pulumi.<x>.yaml) set up
// for one application environment: its account and the GitHub environment
// its deploy role trusts.
type accountSetup struct {
	Account, GitHubEnvironment, Region, StateBucket string
}

// bootstrapSetups maps appEnvironment to its bootstrap stack's settings.
func bootstrapSetups(t *testing.T) map[string]accountSetup {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot(t), "bootstrap", "Pulumi.*.yaml"))
	require.NoError(t, err)
	out := map[string]accountSetup{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		var doc struct {
			Config map[string]any `yaml:"config"`
		}
		require.NoError(t, yaml.Unmarshal(raw, &doc), "parse %s", f)
		env, _ := doc.Config["secrets-platform-bootstrap:appEnvironment"].(string)
		if env == "" {
			continue
		}
		s := accountSetup{}
		s.GitHubEnvironment, _ = doc.Config["secrets-platform-bootstrap:githubEnvironment"].(string)
		s.Region, _ = doc.Config["aws:region"].(string)
		s.StateBucket, _ = doc.Config["secrets-platform-bootstrap:stateBucketName"].(string)
		if ids, ok := doc.Config["aws:allowedAccountIds"].([]any); ok && len(ids) == 1 {
			s.Account, _ = ids[0].(string)
		}
		out[env] = s
	}
	return out
}
