package enginetest_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/stack"
)

// TestDriftRefreshSkipsOnlyTheSecretVersions runs drift.yml's refresh
// preview, with its own --exclude, on the committed prod stack: it reads
// back every resource but the secret versions (whose read would read a
// value the preview role may not), and finds nothing to change on a stack
// just deployed.
func TestDriftRefreshSkipsOnlyTheSecretVersions(t *testing.T) {
	workflow, err := os.ReadFile(filepath.Join(root, ".github", "workflows", "drift.yml"))
	require.NoError(t, err)
	m := regexp.MustCompile(`--exclude '([^']+)'`).FindSubmatch(workflow)
	require.NotNil(t, m, "drift.yml's refresh names no --exclude")
	exclude := string(m[1])

	ctx := context.Background()
	file, err := os.ReadFile(filepath.Join(root, "Pulumi.prod.yaml"))
	require.NoError(t, err)
	s, err := engine(t).NewStack(ctx, t.TempDir(), "prod", file, stack.Program)
	require.NoError(t, err)
	cfg, err := stackConfig(file)
	require.NoError(t, err)
	_, err = setPlaceholders(ctx, s, cfg)
	require.NoError(t, err)
	_, err = s.Up(ctx)
	require.NoError(t, err)

	out, err := s.Shell(ctx, `pulumi refresh --preview-only --expect-no-changes --non-interactive --json --stack prod --exclude '`+exclude+`'`)
	require.NoError(t, err, "drift's refresh preview of a stack just deployed")
	var preview struct {
		Steps []struct {
			Op  string `json:"op"`
			URN string `json:"urn"`
		} `json:"steps"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &preview))
	state, err := s.Export(ctx)
	require.NoError(t, err)
	read := map[string]bool{}
	for _, st := range preview.Steps {
		read[st.URN] = true
	}
	var versions, others int
	for _, r := range state.Resources {
		if !r.Custom || strings.HasPrefix(string(r.Type), "pulumi:") {
			continue
		}
		if r.Type == "aws:secretsmanager/secretVersion:SecretVersion" {
			versions++
			assert.False(t, read[string(r.URN)], "drift's refresh reads %s, a secret's value", r.URN)
			continue
		}
		others++
		assert.True(t, read[string(r.URN)], "drift's refresh skips %s", r.URN)
	}
	require.Positive(t, versions)
	t.Logf("figures drift: the refresh preview reads %d resources and skips the %d secret versions", others, versions)
}
