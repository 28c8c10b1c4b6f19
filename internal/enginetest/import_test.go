package enginetest_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/enginetest"
	"github.com/acme/secrets-platform/stack"
)

// TestMigrationExampleImportsUnderTheEngine runs the migration example
// (examples/from-terraform) through the real engine: Pulumi's import option
// on the adopted secrets and key is accepted, the preview imports each of
// them and then updates it in place (key, description, tags), nothing is
// replaced or deleted, up does what the preview said, and a second preview
// changes nothing. The stand-in provider answers an import with what an
// existing resource reports before the program's inputs apply (awsshape).
func TestMigrationExampleImportsUnderTheEngine(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := engine(t)
	file, err := os.ReadFile(filepath.Join(root, "examples", "from-terraform", "Pulumi.prod.yaml"))
	require.NoError(t, err)
	s, err := h.NewStack(ctx, t.TempDir(), "example", file, stack.Program)
	require.NoError(t, err)

	preview, err := s.Preview(ctx)
	require.NoError(t, err, "pulumi preview of the migration example")
	imports := preview.Of(apitype.OpImport)
	var imported []string
	for _, st := range imports {
		imported = append(imported, st.Type)
	}
	slices.Sort(imported)
	assert.Equal(t, []string{"aws:kms/key:Key", "aws:secretsmanager/secret:Secret", "aws:secretsmanager/secret:Secret", "aws:secretsmanager/secret:Secret"},
		imported, "imports, got/want the key and the three adopted secrets")
	assert.Empty(t, preview.Of(enginetest.Replacing()...), "the first preview replaces or deletes")
	for _, st := range preview.Of(apitype.OpUpdate) {
		t.Logf("first pulumi up updates %s", st)
		if st.Type == "aws:secretsmanager/secret:Secret" {
			assert.Subset(t, []string{"description", "kmsKeyId", "recoveryWindowInDays", "tags"}, st.Diffs, "%s: changes beyond the guide's list", st.URN)
			assert.Contains(t, st.Diffs, "kmsKeyId", "%s: the move to the stack's key", st.URN)
		}
	}
	for _, st := range preview.Of(apitype.OpCreate) {
		if st.Type == "aws:secretsmanager/secretVersion:SecretVersion" {
			assert.True(t, strings.HasSuffix(st.URN, "catalog-app-database-app-first-value"), "%s: a version of an adopted secret", st.URN)
		}
	}

	up, err := s.Up(ctx)
	require.NoError(t, err, "pulumi up of the migration example")
	assert.Equal(t, preview.Changes, up.Changes, "up did other than the preview said")
	again, err := s.Preview(ctx)
	require.NoError(t, err)
	assert.Empty(t, again.Changed(), "second preview: got changes, want none (the import is done once)")
}
