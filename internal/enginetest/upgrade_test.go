package enginetest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
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

// previousCheckpoint is what the previous release's program wrote for a
// committed stack (testdata/upgrade/README.md says how it was made).
func previousCheckpoint(t *testing.T, name string) []byte {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "upgrade", name+".json.gz"))
	require.NoError(t, err)
	defer f.Close()
	z, err := gzip.NewReader(f)
	require.NoError(t, err)
	b, err := io.ReadAll(z)
	require.NoError(t, err)
	return b
}

// valuesPut is docs/upgrade.md's step 1 for a committed stack: each
// manually rotated secret whose value the previous release took from config
// (its stack file at testdata/upgrade) and this release's config no longer
// does says the value is put.
func valuesPut(t *testing.T, name string) func(cfg map[string]any) error {
	t.Helper()
	file, err := os.ReadFile(filepath.Join("testdata", "upgrade", "Pulumi."+name+".yaml"))
	require.NoError(t, err)
	previous, err := stackConfig(file)
	require.NoError(t, err)
	var entries []struct {
		Name           string `json:"name"`
		ValueConfigKey string `json:"valueConfigKey"`
		Rotation       struct {
			Strategy string `json:"strategy"`
		} `json:"rotation"`
	}
	require.NoError(t, json.Unmarshal([]byte(previous["secrets-platform:secrets"]), &entries))
	put := map[string]bool{}
	for _, e := range entries {
		if e.ValueConfigKey != "" && e.Rotation.Strategy == "manual" {
			put[e.Name] = true
		}
	}
	require.NotEmpty(t, put, "the previous %s took no value from config", name)
	return func(cfg map[string]any) error {
		secrets, _ := cfg["secrets-platform:secrets"].([]any)
		for _, x := range secrets {
			// A disposable stack may keep taking the value from config.
			if s, ok := x.(map[string]any); ok && put[fmt.Sprint(s["name"])] && s["valueConfigKey"] == nil {
				s["valuePut"] = true
			}
		}
		return nil
	}
}

// checkKeepsData fails every step of run that replaces or deletes a
// resource holding data, and returns the steps that delete or replace
// anything else, for the log.
func checkKeepsData(t *testing.T, what string, run *enginetest.Run) []string {
	t.Helper()
	var other []string
	for _, st := range run.Changed() {
		if !slices.Contains(enginetest.Replacing(), st.Op) {
			continue
		}
		if slices.Contains(dataTypes, st.Type) {
			t.Errorf("%s: replaces or deletes a resource that holds data: %s", what, st)
			continue
		}
		other = append(other, st.String())
	}
	return other
}

// TestUpgradeFromThePreviousRelease takes each committed stack from the
// checkpoint the previous release wrote to this release's program and
// committed config, as docs/upgrade.md says: up replaces or deletes nothing
// that holds data and moves each rotation to its group's function in place;
// the doc's script then drops the previous values from state, after which a
// strict stack's decrypted state holds no live secret and a preview shows
// nothing left to do.
func TestUpgradeFromThePreviousRelease(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(root, "docs", "upgrade.md"))
	require.NoError(t, err)
	drop, err := enginetest.MarkdownBlock(doc, "## 3. Drop the previous values from state", "sh")
	require.NoError(t, err)
	for _, name := range []string{"prod", "staging"} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			h := engine(t)
			file, err := os.ReadFile(filepath.Join(root, "Pulumi."+name+".yaml"))
			require.NoError(t, err)
			s, err := h.NewStack(ctx, t.TempDir(), name, file, stack.Program)
			require.NoError(t, err)
			cfg, err := stackConfig(file)
			require.NoError(t, err)
			_, err = setPlaceholders(ctx, s, cfg)
			require.NoError(t, err)
			require.NoError(t, s.EditConfig(valuesPut(t, name)), "the doc's step 1")
			require.NoError(t, s.Import(ctx, previousCheckpoint(t, name)))
			before, err := s.Export(ctx)
			require.NoError(t, err)
			var rotations []string
			existed := map[string]bool{}
			for _, r := range before.Resources {
				existed[r.URN.Name()] = true
				if r.Type == "aws:secretsmanager/secretRotation:SecretRotation" {
					rotations = append(rotations, string(r.URN))
				}
			}
			require.NotEmpty(t, rotations, "the previous checkpoint has no rotation")

			preview, err := s.Preview(ctx)
			require.NoError(t, err, "preview of this release over the previous checkpoint")
			other := checkKeepsData(t, "upgrade", preview)
			for _, st := range preview.Changed() {
				if st.Type == "aws:secretsmanager/secretRotation:SecretRotation" {
					// A secret new in this release (the migration login's) gets its first rotation.
					secret := strings.TrimSuffix(st.URN[strings.LastIndex(st.URN, "::")+2:], "-rotation")
					if st.Op == apitype.OpCreate && !existed[secret] {
						continue
					}
					assert.Equal(t, apitype.OpUpdate, st.Op, "a rotation must move to its group's function in place: %s", st)
				}
			}
			up, err := s.Up(ctx)
			require.NoError(t, err)
			assert.Equal(t, preview.Changes, up.Changes, "up did other than the preview said")
			t.Logf("figures %s upgrade: preview %v; deleted or replaced (none holds data): %d", name, preview.Changes, len(other))

			strict := cfg["secrets-platform:mode"] != "disposable"
			if strict {
				upgraded, err := s.Export(ctx)
				require.NoError(t, err)
				assert.Error(t, enginetest.NoLiveSecrets(upgraded), "before step 3 the previous values should still be in state")
			}

			// The doc's step 3 as written, but for its pulumi up, which the
			// harness runs so that it can serve the program.
			var lines []string
			for _, l := range strings.Split(string(drop), "\n") {
				if !strings.HasPrefix(l, "pulumi up") {
					lines = append(lines, l)
				}
			}
			script := "STACK=" + name + "\n" + strings.ReplaceAll(strings.Join(lines, "\n"), `"$STACK-before-upgrade.json"`, `"`+t.TempDir()+`/before.json"`)
			_, err = s.Shell(ctx, script)
			require.NoError(t, err, "the doc's step 3")
			rewrite, err := s.Up(ctx)
			require.NoError(t, err, "the doc's step 3: pulumi up")
			checkKeepsData(t, "step 3", rewrite)
			t.Logf("figures %s step 3: up %v", name, rewrite.Changes)
			after, err := s.Export(ctx)
			require.NoError(t, err)
			for _, r := range after.Resources {
				assert.NotContains(t, []string{"random:index/randomPassword:RandomPassword", "random:index/randomBytes:RandomBytes"}, string(r.Type), "%s is still in state", r.URN)
			}
			if strict {
				assert.NoError(t, enginetest.NoLiveSecrets(after), "decrypted state of strict %s after the upgrade", name)
			}
			again, err := s.Preview(ctx)
			require.NoError(t, err)
			assert.Empty(t, again.Changed(), "a preview after the upgrade still has changes")
			b, err := s.Checkpoint()
			require.NoError(t, err)
			assert.False(t, bytes.Contains(b, []byte("fixture-")), "the checkpoint still holds a previous value in plain text")
		})
	}
}
