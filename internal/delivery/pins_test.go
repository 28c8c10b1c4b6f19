package delivery

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	// usesLine finds every `uses:` in a workflow, a step's or a job's.
	usesLine = regexp.MustCompile(`^\s*(?:-\s+)?uses:\s*(\S+)(.*)$`)
	// pinned is owner/repo[/path]@<full commit SHA> # v<major>.<minor>.<patch>.
	pinned = regexp.MustCompile(`^([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)(/[^@]*)?@([0-9a-f]{40})$`)
	// versionComment is the tag the SHA was taken from, in full.
	versionComment = regexp.MustCompile(`^\s+#\s+(v\d+\.\d+\.\d+)\s*$`)
)

// pin is one pinned action reference.
type pin struct{ Action, SHA, Version string }

// checkUses returns the pin of one `uses:` value and its trailing text, or
// why it is not pinned. A local reusable workflow (./...) is part of the same
// commit and needs no pin; it returns a zero pin.
func checkUses(ref, rest string) (pin, error) {
	if strings.HasPrefix(ref, "./") {
		return pin{}, nil
	}
	if strings.HasPrefix(ref, "docker://") {
		if !strings.Contains(ref, "@sha256:") {
			return pin{}, fmt.Errorf("%s: a container image must be pinned by @sha256 digest", ref)
		}
		return pin{Action: ref}, nil
	}
	m := pinned.FindStringSubmatch(ref)
	if m == nil {
		return pin{}, fmt.Errorf("%s: not pinned by a full commit SHA (owner/repo@<40 hex> # vX.Y.Z)", ref)
	}
	v := versionComment.FindStringSubmatch(rest)
	if v == nil {
		return pin{}, fmt.Errorf("%s: no trailing comment naming the full version the SHA was taken from (# vX.Y.Z)", ref)
	}
	return pin{Action: m[1] + m[2], SHA: m[3], Version: v[1]}, nil
}

func TestCheckUsesRefusesEveryUnpinnedForm(t *testing.T) {
	sha := strings.Repeat("a", 40)
	for _, tt := range []struct{ ref, rest string }{
		{"actions/checkout@v4", ""},
		{"actions/checkout@v4.2.2", ""},
		{"actions/checkout@main", ""},
		{"actions/checkout@" + sha[:7], " # v4.2.2"},
		{"actions/checkout@" + sha, ""},
		{"actions/checkout@" + sha, " # v4"},
		{"actions/checkout@" + strings.Repeat("A", 40), " # v4.2.2"},
		{"docker://alpine:3.20", ""},
	} {
		_, err := checkUses(tt.ref, tt.rest)
		assert.Error(t, err, "%s%s must be refused", tt.ref, tt.rest)
	}
	p, err := checkUses("actions/checkout@"+sha, " # v4.2.2")
	require.NoError(t, err)
	assert.Equal(t, pin{Action: "actions/checkout", SHA: sha, Version: "v4.2.2"}, p)
	p, err = checkUses("github/codeql-action/init@"+sha, " # v3.1.0")
	require.NoError(t, err)
	assert.Equal(t, "github/codeql-action/init", p.Action)
}

// TestEveryActionIsPinnedByCommitSHA reads every `uses:` line of every
// workflow: each names the commit (not a tag, which can be moved), with the
// version it came from as a comment, and one action has one pin everywhere.
func TestEveryActionIsPinnedByCommitSHA(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(repoRoot(t), ".github", "workflows", "*.y*ml"))
	require.NoError(t, err)
	byAction := map[string]pin{}
	lines := 0
	for _, f := range files {
		file, err := os.Open(f)
		require.NoError(t, err)
		sc := bufio.NewScanner(file)
		for n := 1; sc.Scan(); n++ {
			m := usesLine.FindStringSubmatch(sc.Text())
			if m == nil {
				continue
			}
			lines++
			p, err := checkUses(m[1], m[2])
			if !assert.NoError(t, err, "%s:%d", filepath.Base(f), n) || p.SHA == "" {
				continue
			}
			if prev, ok := byAction[p.Action]; ok {
				assert.Equal(t, prev, p, "%s:%d: %s is pinned differently elsewhere", filepath.Base(f), n, p.Action)
			}
			byAction[p.Action] = p
		}
		require.NoError(t, sc.Err())
		require.NoError(t, file.Close())
	}
	// The YAML parser must see no `uses:` the line scan missed (flow style).
	parsed := 0
	for _, w := range loadWorkflows(t) {
		for _, j := range w.Jobs {
			if j.Uses != "" {
				parsed++
			}
			for _, s := range j.Steps {
				if s.Uses != "" {
					parsed++
				}
			}
		}
	}
	assert.Equal(t, parsed, lines, "uses: found by the YAML parser (got) and by the line scan (want)")
	for _, p := range byAction {
		t.Logf("pinned %s@%s # %s", p.Action, p.SHA, p.Version)
	}
	assert.NotEmpty(t, byAction)
	// Each pin is the commit docs/delivery.md's table records for its tag,
	// taken with `git rev-parse <tag>^{commit}`: a SHA changed in a workflow
	// alone (a tag object's, another tag's) fails here.
	assert.Equal(t, verifiedPins(t), byAction, "the workflows' pins (got) are the table's in docs/delivery.md (want)")
}

// verifiedPins reads the table of docs/delivery.md that records, per
// action, the tag and the commit behind it.
func verifiedPins(t *testing.T) map[string]pin {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", "delivery.md"))
	require.NoError(t, err)
	row := regexp.MustCompile("^\\| ([A-Za-z0-9_./-]+) \\| (v\\d+\\.\\d+\\.\\d+) \\| `([0-9a-f]{40})` \\|$")
	out := map[string]pin{}
	for _, line := range strings.Split(string(data), "\n") {
		if m := row.FindStringSubmatch(line); m != nil {
			out[m[1]] = pin{Action: m[1], Version: m[2], SHA: m[3]}
		}
	}
	require.NotEmpty(t, out, "docs/delivery.md has no table of action | tag | commit")
	return out
}

// TestPulumiCLIIsTheSDKVersion: every step that installs the Pulumi CLI
// names the version of github.com/pulumi/pulumi/sdk/v3 in go.mod, which is
// the CLI the engine tests build (tools/pulumicli), and no job runs `pulumi`
// without installing it first (the runner image's CLI floats).
func TestPulumiCLIIsTheSDKVersion(t *testing.T) {
	sdk := goModVersion(t, "go.mod", "github.com/pulumi/pulumi/sdk/v3")
	require.Equal(t, sdk, goModVersion(t, "tools/pulumicli/go.mod", "github.com/pulumi/pulumi/pkg/v3"),
		"the CLI the engine tests build (got) is the SDK's version (want)")
	want := strings.TrimPrefix(sdk, "v")
	pulumiCommand := regexp.MustCompile(`(?m)^\s*pulumi\s`)
	installs := 0
	for file, w := range loadWorkflows(t) {
		for _, name := range sortedJobs(w) {
			installed := false
			for i, s := range w.Jobs[name].Steps {
				where := fmt.Sprintf("%s: job %s, step %d", file, name, i+1)
				if s.action() == "pulumi/actions" {
					installs++
					installed = true
					assert.Equal(t, want, s.With["pulumi-version"], "%s: pulumi-version (got) is the SDK version in go.mod (want)", where)
					assert.Empty(t, s.With["pulumi-version-file"], "%s: the version is given inline", where)
				}
				if pulumiCommand.MatchString(s.Run) {
					assert.True(t, installed, "%s runs pulumi before a pinned pulumi/actions step installs it", where)
				}
			}
		}
	}
	assert.Positive(t, installs)
}

// TestCheckoutLeavesNoToken: no checkout keeps the job's token in .git/config
// while later steps (pull-request code, the Pulumi program) run.
func TestCheckoutLeavesNoToken(t *testing.T) {
	checkouts := 0
	for file, w := range loadWorkflows(t) {
		for _, name := range sortedJobs(w) {
			for _, s := range w.Jobs[name].Steps {
				if s.action() == "actions/checkout" {
					checkouts++
					assert.Equal(t, "false", s.With["persist-credentials"], "%s: job %s: persist-credentials", file, name)
				}
			}
		}
	}
	assert.Positive(t, checkouts)
}
