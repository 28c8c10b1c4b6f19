package enginetest_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/enginetest"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/stack"
)

// TestCommittedStacks deploys every Pulumi.<stack>.yaml of the repository
// under the engine, changes its config the way operators do, and destroys
// it: protect stops a strict stack, a disposable one goes.
func TestCommittedStacks(t *testing.T) {
	t.Parallel()
	names, err := mockrun.StackNames(root)
	require.NoError(t, err)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			file, err := os.ReadFile(filepath.Join(root, "Pulumi."+name+".yaml"))
			require.NoError(t, err)
			d := deploy(t, scenario{name: name, file: file})
			t.Run("config changes", func(t *testing.T) { checkConfigChanges(t, d, readme) })
			t.Run("destroy", func(t *testing.T) { checkDestroy(t, d) })
		})
	}
}

// TestREADMEMinimalStack deploys the stack the README's "Add a stack" shows,
// as the README prints it: a new user's first stack.
func TestREADMEMinimalStack(t *testing.T) {
	t.Parallel()
	name, file := readmeStack(t)
	d := deploy(t, scenario{name: name, file: file})
	assert.True(t, d.strict, "the README's minimal stack says no mode: it is strict")
	t.Run("destroy", func(t *testing.T) { checkDestroy(t, d) })
}

// readmeStack returns the stack the README's "Add a stack" shows and its
// name.
func readmeStack(t *testing.T) (string, []byte) {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	file, err := enginetest.MarkdownBlock(readme, "## Add a stack", "yaml")
	require.NoError(t, err)
	name, err := environmentOf(file)
	require.NoError(t, err)
	return name, file
}

// environmentOf names the README's stack after the environment its secret
// names start with (/dev/app/...), since environment defaults to the stack
// name.
func environmentOf(file []byte) (string, error) {
	cfg, err := stackConfig(file)
	if err != nil {
		return "", err
	}
	if env := cfg["secrets-platform:environment"]; env != "" {
		return env, nil
	}
	var secrets []struct{ Name string }
	if err := jsonUnmarshal(cfg["secrets-platform:secrets"], &secrets); err != nil || len(secrets) == 0 {
		return "", fmt.Errorf("the README's stack has no secrets to name it by: %v", err)
	}
	return strings.Split(strings.TrimPrefix(secrets[0].Name, "/"), "/")[0], nil
}

// checkDestroy runs `pulumi destroy`. On a strict stack protect must stop it
// before it deletes anything: its preview refuses the protected keys, secrets
// and database. A disposable stack must be destroyed.
func checkDestroy(t *testing.T, d *deployed) {
	ctx := context.Background()
	before, err := d.s.Export(ctx)
	require.NoError(t, err)
	run, err := d.s.Destroy(ctx)
	after, exportErr := d.s.Export(ctx)
	require.NoError(t, exportErr)
	if !d.strict {
		require.NoError(t, err, "destroy of disposable %s", d.s.Name)
		assert.Equal(t, 0, len(after.Resources), "resources left after destroying %s", d.s.Name)
		t.Logf("figures %s: destroy %.1fs, %d resources deleted", d.s.Name, run.Duration.Seconds(), run.Changes[apitype.OpDelete])
		return
	}
	require.Error(t, err, "destroy of strict %s succeeded", d.s.Name)
	assert.Contains(t, err.Error(), "protect", "destroy failed, but not for protect")
	left := map[string]bool{}
	for _, r := range after.Resources {
		left[string(r.URN)] = true
	}
	deleted := map[string]int{}
	protected := 0
	for _, r := range before.Resources {
		if r.Protect || slices.Contains(dataTypes, string(r.Type)) {
			protected++
			assert.True(t, left[string(r.URN)], "destroy deleted %s (protected %v)", r.URN, r.Protect)
		} else if !left[string(r.URN)] {
			deleted[string(r.Type)]++
		}
	}
	assert.Positive(t, protected, "nothing in %s is protected", d.s.Name)
	assert.Equal(t, len(before.Resources), len(after.Resources), "destroy of strict %s deleted resources before protect stopped it: %v", d.s.Name, deleted)
	t.Logf("figures %s: destroy stopped by protect after deleting %d of %d resources; kept %d protected or data-holding; deleted by type: %v",
		d.s.Name, len(before.Resources)-len(after.Resources), len(before.Resources), protected, deleted)
}

// TestCLIValidatesStackConfig shows the CLI's own config validation is in
// the loop (the check the mocks never ran, which refused both committed
// stacks): the README's minimal stack without a required key is refused by
// the CLI, naming the key, before the program registers anything.
func TestCLIValidatesStackConfig(t *testing.T) {
	t.Parallel()
	name, file := readmeStack(t)
	var kept []string
	for _, line := range strings.Split(string(file), "\n") {
		if !strings.Contains(line, "secrets-platform:keyAdminRoleArns") {
			kept = append(kept, line)
		}
	}
	require.Less(t, len(kept), len(strings.Split(string(file), "\n")), "the README's stack sets no keyAdminRoleArns")
	s, err := engine(t).NewStack(context.Background(), t.TempDir(), name, []byte(strings.Join(kept, "\n")), stack.Program)
	require.NoError(t, err)
	run, err := s.Preview(context.Background())
	require.Error(t, err, "preview without keyAdminRoleArns succeeded")
	assert.Contains(t, err.Error(), "missing configuration value", "got another failure than the CLI's validation")
	assert.Contains(t, err.Error(), "keyAdminRoleArns")
	assert.Empty(t, run.Changed(), "the program registered resources before validation")
}
