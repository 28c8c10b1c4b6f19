package enginetest_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/enginetest"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/stack"
)

// scenario is a stack the engine deploys.
type scenario struct {
	name string
	// file is its Pulumi.<name>.yaml.
	file []byte
	// configure sets more config through the CLI once the stack exists and
	// returns the secret values it set; may be nil.
	configure func(ctx context.Context, s *enginetest.Stack) ([]string, error)
	// mocks makes the mocks' config match what configure set; may be nil.
	mocks func(mockrun.Stack) (mockrun.Stack, error)
}

// deployed is a scenario after its first up.
type deployed struct {
	s *enginetest.Stack
	// secrets are the secret config values the test set.
	secrets []string
	strict  bool
}

// deploy runs what every stack must survive under the engine: config
// validation, preview and up as committed (with placeholder third-party
// values), a second preview and up that change nothing, no secret in plain
// text in the checkpoint, the stack config or the stack outputs, and the
// same resources as the mocks register.
func deploy(t *testing.T, sc scenario) *deployed {
	ctx := context.Background()
	h := engine(t)
	s, err := h.NewStack(ctx, t.TempDir(), sc.name, sc.file, stack.Program)
	require.NoError(t, err)
	cfg, err := stackConfig(sc.file)
	require.NoError(t, err)
	d := &deployed{s: s, strict: cfg["secrets-platform:mode"] != "disposable"}
	d.secrets, err = setPlaceholders(ctx, s, cfg)
	require.NoError(t, err)
	if sc.configure != nil {
		more, err := sc.configure(ctx, s)
		require.NoError(t, err)
		d.secrets = append(d.secrets, more...)
	}

	preview, err := s.Preview(ctx)
	require.NoError(t, err, "pulumi preview of %s as committed", sc.name)
	for _, st := range preview.Changed() {
		assert.Equal(t, apitype.OpCreate, st.Op, "first preview: got %s, want only creates", st)
	}
	creates := preview.Changes[apitype.OpCreate]
	require.Positive(t, creates, "first preview creates nothing")
	up, err := s.Up(ctx)
	require.NoError(t, err, "pulumi up of %s as committed", sc.name)
	assert.Equal(t, map[apitype.OpType]int{apitype.OpCreate: creates}, up.Changes, "up did other than the preview said")

	again, err := s.Preview(ctx)
	require.NoError(t, err)
	assert.Empty(t, again.Changed(), "second preview: got changes, want none (a perpetual diff)")
	second, err := s.Up(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[apitype.OpType]int{apitype.OpSame: creates}, second.Changes, "second up: got changes, want %d unchanged", creates)
	assert.Empty(t, second.Changed(), "second up changed resources")

	state, err := s.Export(ctx)
	require.NoError(t, err)
	checkNoPlainSecrets(t, ctx, d, state)
	engineN, mocksN := checkSameResourcesAsMocks(t, s, sc, state)
	t.Logf("figures %s: %d resources under the engine (%d in its state with the stack and default providers), %d under the mocks; preview %.1fs, up %.1fs, second preview %.1fs, second up %.1fs",
		sc.name, engineN, len(state.Resources), mocksN, preview.Duration.Seconds(), up.Duration.Seconds(), again.Duration.Seconds(), second.Duration.Seconds())
	if d.strict {
		// SECURITY-RULES 17: anyone who can preview can decrypt state.
		assert.NoError(t, enginetest.NoLiveSecrets(state), "decrypted state of strict %s", sc.name)
		t.Logf("figures %s: decrypted state holds %d secret-marked field(s), all placeholders", sc.name, len(enginetest.SecretFields(state)))
	}
	return d
}

// secretGenerators are pulumi-random's types whose results are secret.
var secretGenerators = []string{
	"random:index/randomPassword:RandomPassword", "random:index/randomString:RandomString", "random:index/randomBytes:RandomBytes",
}

// stackConfig reads a stack file's config, objects and lists as JSON strings
// the way the engine hands them to the program.
func stackConfig(file []byte) (map[string]string, error) {
	doc, err := enginetest.DecodeYAML(file)
	if err != nil {
		return nil, err
	}
	raw, _ := doc.(map[string]any)["config"].(map[string]any)
	out := map[string]string{}
	for k, v := range raw {
		if s, ok := v.(string); ok {
			out[k] = s
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		out[k] = string(b)
	}
	return out, nil
}

// setPlaceholders sets, with `pulumi config set --secret`, a value for every
// valueConfigKey the catalog names: unique test values of the kind's shape,
// which the leak checks then look for.
func setPlaceholders(ctx context.Context, s *enginetest.Stack, cfg map[string]string) ([]string, error) {
	var entries []struct {
		Kind           string `json:"kind"`
		ValueConfigKey string `json:"valueConfigKey"`
	}
	if err := json.Unmarshal([]byte(cfg["secrets-platform:secrets"]), &entries); err != nil {
		return nil, fmt.Errorf("read the catalog: %w", err)
	}
	var values []string
	for _, e := range entries {
		if e.ValueConfigKey == "" {
			continue
		}
		v := placeholder(e.ValueConfigKey, e.Kind)
		if err := s.SetSecret(ctx, e.ValueConfigKey, v, false); err != nil {
			return nil, err
		}
		values = append(values, v)
	}
	return values, nil
}

// placeholder is a test value no real system uses, unique per call.
func placeholder(key, kind string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	v := "enginetest-" + key + "-" + hex.EncodeToString(b)
	if kind == "json" {
		return fmt.Sprintf(`{"placeholder":%q}`, v)
	}
	return v
}

// checkNoPlainSecrets looks for every decrypted secret of the checkpoint (the
// config values, the random provider's generated values, the secret strings)
// in the checkpoint as stored, the stack's config file and `pulumi stack
// output`. Failures name the field, never the value.
func checkNoPlainSecrets(t *testing.T, ctx context.Context, d *deployed, state apitype.DeploymentV3) {
	t.Helper()
	secrets := enginetest.Secrets(state)
	for _, v := range d.secrets {
		found := false
		for _, s := range secrets {
			found = found || strings.Contains(s.Value, v) || strings.Contains(s.Value, strings.Trim(jsonString(v), `"`))
		}
		assert.True(t, found, "a secret config value is not among the checkpoint's secrets: the search below would prove nothing")
	}
	for _, r := range state.Resources {
		if slices.Contains(secretGenerators, string(r.Type)) {
			n := 0
			for _, s := range secrets {
				if s.Field.URN == string(r.URN) && strings.HasPrefix(s.Field.Path, "outputs.") {
					n++
				}
			}
			assert.Positive(t, n, "%s: got no secret output, want its generated value secret", r.URN)
			if d.strict {
				t.Errorf("%s: a strict stack generates a secret with pulumi-random", r.URN)
			}
		}
	}
	checkpoint, err := d.s.Checkpoint()
	require.NoError(t, err)
	stackFile, err := os.ReadFile(d.s.StackFile())
	require.NoError(t, err)
	hidden, err := d.s.Outputs(ctx, false)
	require.NoError(t, err)
	shown, err := d.s.Outputs(ctx, true)
	require.NoError(t, err)
	places := []struct {
		name string
		text []byte
	}{
		{"the backend's checkpoint file", checkpoint},
		{"Pulumi." + d.s.Name + ".yaml", stackFile},
		{"pulumi stack output --json", []byte(hidden)},
		{"pulumi stack output --json --show-secrets", []byte(shown)},
	}
	searched := 0
	for _, s := range secrets {
		if len(s.Value) < 8 {
			continue // too short to search for meaningfully
		}
		searched++
		for _, p := range places {
			leaked := bytes.Contains(p.text, []byte(s.Value)) || bytes.Contains(p.text, []byte(strings.Trim(jsonString(s.Value), `"`)))
			assert.False(t, leaked, "%s holds the secret %s in plain text", p.name, s.Field)
		}
	}
	for _, v := range d.secrets {
		for _, p := range places {
			assert.False(t, bytes.Contains(p.text, []byte(v)), "%s holds a secret config value in plain text", p.name)
		}
	}
	assert.Positive(t, searched, "no secret to search for")
	t.Logf("%s: searched %d decrypted secrets in the checkpoint, the stack file and the stack outputs", d.s.Name, searched)
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// checkSameResourcesAsMocks runs the mocks harness on the same config and
// compares the resources it registers with the engine's, by URN, and returns
// both counts. The engine adds the stack itself and its default providers.
func checkSameResourcesAsMocks(t *testing.T, s *enginetest.Stack, sc scenario, state apitype.DeploymentV3) (engineN, mocksN int) {
	t.Helper()
	var rec *mockrun.Recording
	err := enginetest.Exclusive(func() error {
		st, err := mockrun.LoadStack(s.Dir(), s.Name)
		if err != nil {
			return err
		}
		if st, err = st.WithPlaceholderSecrets(); err != nil {
			return err
		}
		if sc.mocks != nil {
			if st, err = sc.mocks(st); err != nil {
				return err
			}
		}
		rec, err = mockrun.Run(st, stack.Compose)
		return err
	})
	require.NoError(t, err)
	var fromMocks, fromEngine []string
	for _, r := range rec.Resources {
		fromMocks = append(fromMocks, r.URN)
	}
	for _, r := range state.Resources {
		if r.Type == resource.RootStackType || (strings.HasPrefix(string(r.Type), "pulumi:providers:") && strings.HasPrefix(r.URN.Name(), "default")) {
			continue
		}
		fromEngine = append(fromEngine, string(r.URN))
	}
	assert.ElementsMatch(t, fromMocks, fromEngine, "the engine's resources (beyond the stack and its default providers) differ from the mocks'")
	return len(fromEngine), len(fromMocks)
}
