package enginetest_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/awsshape"
	"github.com/acme/secrets-platform/internal/enginetest"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/stack"
)

// TestCLIIsBuiltAtTheSDKVersion: scripts/pulumi-cli.sh builds the CLI from
// tools/pulumicli, which must pin pulumi/pkg at the version of the SDK the
// program uses (the engine and the SDK speak one protocol version).
func TestCLIIsBuiltAtTheSDKVersion(t *testing.T) {
	ctx := context.Background()
	program, err := enginetest.ModuleVersions(ctx, root, "github.com/pulumi/pulumi/sdk/v3")
	require.NoError(t, err)
	tools, err := enginetest.ModuleVersions(ctx, filepath.Join(root, "tools", "pulumicli"),
		"github.com/pulumi/pulumi/pkg/v3", "github.com/pulumi/pulumi/sdk/v3")
	require.NoError(t, err)
	want := program["github.com/pulumi/pulumi/sdk/v3"]
	assert.Equal(t, want, tools["github.com/pulumi/pulumi/pkg/v3"], "tools/pulumicli pins pulumi/pkg/v3 at another version than go.mod's SDK")
	assert.Equal(t, want, tools["github.com/pulumi/pulumi/sdk/v3"], "tools/pulumicli resolves another pulumi/sdk/v3 than go.mod")
}

func TestMarkdownBlockReadsTheREADMEsExamples(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	stackFile, err := enginetest.MarkdownBlock(readme, "## Add a stack", "yaml")
	require.NoError(t, err)
	cfg, err := stackConfig(stackFile)
	require.NoError(t, err)
	assert.NotEmpty(t, cfg["aws:region"], "the README's minimal stack: got no aws:region")
	assert.NotEmpty(t, cfg["secrets-platform:secrets"], "the README's minimal stack: got no secrets")

	secret, err := enginetest.MarkdownBlock(readme, "## Add a secret", "yaml")
	require.NoError(t, err)
	doc, err := enginetest.DecodeYAML(secret)
	require.NoError(t, err)
	entries, ok := doc.([]any)
	require.True(t, ok, "the README's new secret: got %T, want a list entry", doc)
	assert.Len(t, entries, 1)

	_, err = enginetest.MarkdownBlock(readme, "## No such section", "yaml")
	assert.Error(t, err)
	_, err = enginetest.MarkdownBlock([]byte("## A\n```yaml\na: 1\n```\n## B\n"), "## B", "yaml")
	assert.Error(t, err, "a block of another section was taken")
}

func TestNoLiveSecretsNamesFieldsNotValues(t *testing.T) {
	const value = "generated-password-value-1234"
	plaintext, err := json.Marshal(value)
	require.NoError(t, err)
	urn := resource.URN("urn:pulumi:prod::secrets-platform::random:index/randomPassword:RandomPassword::pw")
	d := apitype.DeploymentV3{Resources: []apitype.ResourceV3{{
		URN: urn, Type: "random:index/randomPassword:RandomPassword", Custom: true,
		Inputs: map[string]any{"length": 32.0},
		Outputs: map[string]any{"length": 32.0, "result": map[string]any{
			resource.SigKey: resource.SecretSig, "plaintext": string(plaintext),
		}},
	}}}
	err = enginetest.NoLiveSecrets(d)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "outputs.result")
	assert.Contains(t, err.Error(), string(urn))
	assert.False(t, strings.Contains(err.Error(), value), "the error holds the secret value")
	secrets := enginetest.Secrets(d)
	require.Len(t, secrets, 1)
	assert.True(t, secrets[0].Value == value, "Secrets: got another value than the decrypted one")

	d.Resources[0].Outputs["result"] = "no longer secret"
	assert.NoError(t, enginetest.NoLiveSecrets(d))

	placeholder, err := contract.Placeholder(map[string]any{"host": "db"})
	require.NoError(t, err)
	plaintext, err = json.Marshal(placeholder)
	require.NoError(t, err)
	d.Resources[0].Outputs["result"] = map[string]any{resource.SigKey: resource.SecretSig, "plaintext": string(plaintext)}
	assert.NoError(t, enginetest.NoLiveSecrets(d), "a secret-marked placeholder holds nothing live")
}

// TestReplacementTableCoversEveryRegisteredType: the stand-in refuses to diff
// a type awsshape's replacement table lacks, so every AWS type any stack the
// engine tests deploy registers must have a row (checked here under the
// mocks, before any engine run).
func TestReplacementTableCoversEveryRegisteredType(t *testing.T) {
	dir := t.TempDir()
	project, err := os.ReadFile(filepath.Join(root, "Pulumi.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), project, 0o600))
	names, err := mockrun.StackNames(root)
	require.NoError(t, err)
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(root, "Pulumi."+n+".yaml"))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi."+n+".yaml"), b, 0o600))
	}
	variant, err := os.ReadFile("testdata/Pulumi.variant.yaml")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.variant.yaml"), variant, 0o600))
	types := map[string]bool{}
	for _, n := range append(names, "variant") {
		err := enginetest.Exclusive(func() error {
			st, err := mockrun.LoadStack(dir, n)
			if err != nil {
				return err
			}
			if st, err = st.WithPlaceholderSecrets(); err != nil {
				return err
			}
			rec, err := mockrun.Run(st, stack.Compose)
			if err != nil {
				return err
			}
			for _, r := range rec.Resources {
				if r.Custom && strings.HasPrefix(r.Type, "aws:") {
					types[r.Type] = true
				}
			}
			return nil
		})
		require.NoError(t, err, "stack %s under the mocks", n)
	}
	require.NotEmpty(t, types)
	for typ := range types {
		_, ok := awsshape.ReplaceKeys(typ)
		assert.True(t, ok, "%s has no row in awsshape's replacement table", typ)
	}
}
