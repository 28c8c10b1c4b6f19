package mockrun_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/internal/rules"
	"github.com/acme/secrets-platform/stack"
)

// TestANewStackFileIsStrictWithNoCodeChange drops a minimal Pulumi.<name>.yaml
// beside a copy of Pulumi.yaml: it is found, the project defaults apply, and
// the stack it deploys is strict.
func TestANewStackFileIsStrictWithNoCodeChange(t *testing.T) {
	dir := t.TempDir()
	project, err := os.ReadFile("../../Pulumi.yaml")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), project, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.sandbox.yaml"), []byte(`config:
  aws:region: us-east-2
  secrets-platform:keyAdminRoleArns: ["arn:aws:iam::123456789012:role/deploy"]
  secrets-platform:secrets:
    - name: /sandbox/app/session-key
      description: Session signing key
      kind: password
`), 0o600))

	names, err := mockrun.StackNames(dir)
	require.NoError(t, err)
	assert.Equal(t, []string{"sandbox"}, names)
	st, err := mockrun.LoadStack(dir, "sandbox")
	require.NoError(t, err)
	assert.Equal(t, "strict", st.Config["secrets-platform:mode"], "the project default applies")
	assert.Equal(t, "90", st.Config["secrets-platform:maxSecretAgeDays"])

	rec, err := mockrun.Run(st, stack.Compose)
	require.NoError(t, err)
	assert.True(t, rec.Strict)
	assert.Empty(t, rules.Check(rec))
	secrets := rec.OfType(mockrun.TypeSecret)
	require.Len(t, secrets, 1)
	days, _ := secrets[0].Int("recoveryWindowInDays")
	assert.Equal(t, 30, days, "strict default recovery window")
	assert.True(t, secrets[0].Protect)
	for _, k := range rec.OfType(mockrun.TypeKMSKey) {
		days, _ := k.Int("deletionWindowInDays")
		assert.Equal(t, 30, days)
	}
}

func TestStackValuesOverrideProjectDefaults(t *testing.T) {
	st, err := mockrun.LoadStack("../..", "staging")
	require.NoError(t, err)
	assert.Equal(t, "disposable", st.Config["secrets-platform:mode"])
	assert.JSONEq(t, `{"ttl":"5m","maxStale":"15m","instances":2}`, st.Config["secrets-platform:cache"])
	assert.JSONEq(t, `[]`, st.Config["secrets-platform:crossAccount"], "unset keys get the project default")
}

func TestMissingStackFileIsAnError(t *testing.T) {
	_, err := mockrun.LoadStack("../..", "nope")
	assert.ErrorContains(t, err, "load stack nope")
}
