package rules_test

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/internal/rules"
	"github.com/acme/secrets-platform/stack"
)

// TestAwaitingOwnerChangesExceptionAppliesExactlyThere proves the named
// exception to rule 2: the database secret of an existing endpoint may lack
// its rotation while owners have changes to make, and not once the stack
// lists none.
func TestAwaitingOwnerChangesExceptionAppliesExactlyThere(t *testing.T) {
	require.True(t, slices.ContainsFunc(rules.Exceptions(), func(e rules.Exception) bool {
		return e.Rule == 2 && e.Name == rules.ExceptionAwaitingOwnerChanges
	}), "exceptions, got %v, want rule 2 %s", rules.Exceptions(), rules.ExceptionAwaitingOwnerChanges)
	st, err := mockrun.LoadStack("../..", "prod")
	require.NoError(t, err)
	var db map[string]any
	require.NoError(t, json.Unmarshal([]byte(st.Config["secrets-platform:database"]), &db))
	db["network"].(map[string]any)["secretsManagerEndpoint"] = map[string]any{"mode": "existing", "id": "vpce-0a1b2c3d4e5f60710"}
	b, err := json.Marshal(db)
	require.NoError(t, err)
	rec, err := mockrun.Run(st.With("database", string(b)), stack.Compose)
	require.NoError(t, err)
	rule2 := func(rec *mockrun.Recording) []rules.Violation {
		var out []rules.Violation
		for _, v := range rules.Check(rec) {
			if v.Rule == 2 {
				out = append(out, v)
			}
		}
		return out
	}
	assert.Empty(t, rule2(rec), "the database rotation waits while the owner's rule is missing")

	none := *rec
	none.Outputs = maps.Clone(rec.Outputs)
	none.Outputs["changesForResourceOwners"] = mockrun.Output{Value: []any{}, Known: true}
	got := rule2(&none)
	require.Len(t, got, 2, "rule 2 violations with no owner change left, got %v", got)
	assert.Contains(t, got[0].Message+got[1].Message, "/prod/app/database ")
	assert.Contains(t, got[0].Message+got[1].Message, "/prod/app/database-migrations ", "the migration login's rotation waits too")
}
