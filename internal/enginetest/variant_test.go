package enginetest_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/enginetest"
	"github.com/acme/secrets-platform/internal/mockrun"
)

// TestCombinedVariant deploys, destroys and redeploys nothing committed: a
// stack that switches on what the committed ones leave off (see
// testdata/Pulumi.variant.yaml), with an alert webhook set the way the README
// says, as secret config.
func TestCombinedVariant(t *testing.T) {
	t.Parallel()
	file, err := os.ReadFile("testdata/Pulumi.variant.yaml")
	require.NoError(t, err)
	token := make([]byte, 12)
	_, err = rand.Read(token)
	require.NoError(t, err)
	webhook := "https://hooks.example.com/services/enginetest/" + hex.EncodeToString(token)
	d := deploy(t, scenario{
		name: "variant", file: file,
		configure: func(ctx context.Context, s *enginetest.Stack) ([]string, error) {
			// README: set alerts with `pulumi config set --secret --path` when
			// it lists httpsEndpoints (the URL carries its token).
			return []string{webhook}, s.SetSecret(ctx, "secrets-platform:alerts.httpsEndpoints[0]", webhook, true)
		},
		mocks: func(st mockrun.Stack) (mockrun.Stack, error) {
			cfg, err := stackConfig(file)
			if err != nil {
				return st, err
			}
			var alerts map[string]any
			if err := json.Unmarshal([]byte(cfg["secrets-platform:alerts"]), &alerts); err != nil {
				return st, err
			}
			alerts["httpsEndpoints"] = []string{webhook}
			b, err := json.Marshal(alerts)
			return st.WithSecret("alerts", string(b)), err
		},
	})
	t.Run("destroy", func(t *testing.T) { checkDestroy(t, d) })
}
