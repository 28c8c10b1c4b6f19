package delivery

import (
	"bufio"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// securityOwner must approve changes to the paths that grant identities.
const securityOwner = "@acme/platform-security"

// ownerRule is one CODEOWNERS line.
type ownerRule struct {
	Pattern string
	Owners  []string
}

// matches implements the subset of CODEOWNERS patterns the file uses: "*",
// a directory anchored at the root ("/dir/"), and an anchored file glob.
func (r ownerRule) matches(file string) bool {
	switch {
	case r.Pattern == "*":
		return true
	case strings.HasPrefix(r.Pattern, "/") && strings.HasSuffix(r.Pattern, "/"):
		return strings.HasPrefix(file, strings.TrimPrefix(r.Pattern, "/"))
	case strings.HasPrefix(r.Pattern, "/"):
		ok, err := path.Match(strings.TrimPrefix(r.Pattern, "/"), file)
		return err == nil && ok
	}
	return false
}

// ownersOf returns the owners of file: GitHub uses the last matching line.
func ownersOf(rules []ownerRule, file string) []string {
	var out []string
	for _, r := range rules {
		if r.matches(file) {
			out = r.Owners
		}
	}
	return out
}

func loadCodeowners(t *testing.T) []ownerRule {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot(t), ".github", "CODEOWNERS"))
	require.NoError(t, err)
	defer f.Close()
	var rules []ownerRule
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		require.GreaterOrEqual(t, len(fields), 2, "CODEOWNERS line %q has no owner", sc.Text())
		pattern := fields[0]
		require.True(t, pattern == "*" || strings.HasPrefix(pattern, "/"), "pattern %q: this test understands * and root-anchored patterns only", pattern)
		rules = append(rules, ownerRule{Pattern: pattern, Owners: fields[1:]})
	}
	require.NoError(t, sc.Err())
	return rules
}

// TestCodeownersGuardIdentitiesAndThePipeline: the security team alone owns
// every path that grants an identity or changes what runs with deploy
// credentials; everything else has an owner too.
func TestCodeownersGuardIdentitiesAndThePipeline(t *testing.T) {
	rules := loadCodeowners(t)
	for _, file := range []string{
		".github/workflows/deploy.yml", ".github/CODEOWNERS",
		"bootstrap/github.go", "bootstrap/breakglass.go",
		"iam/trust.go", "secrets/keypolicy.go", "crossaccount/sharing.go",
		"rotation/policy.go", "rotator/contract/contract.go", "alerts/rules.go",
		"internal/delivery/digest.go", "Pulumi.prod.yaml", "go.mod",
	} {
		assert.Equal(t, []string{securityOwner}, ownersOf(rules, file), "owners of %s", file)
	}
	assert.NotEmpty(t, ownersOf(rules, "cost/prices.go"), "every file has an owner")

	// The matcher itself: a later line wins, anchored directories do not
	// match elsewhere.
	probe := []ownerRule{{"*", []string{"@a"}}, {"/iam/", []string{"@b"}}}
	assert.Equal(t, []string{"@b"}, ownersOf(probe, "iam/x.go"))
	assert.Equal(t, []string{"@a"}, ownersOf(probe, "internal/iam/x.go"))
}
