package enginetest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/enginetest"
)

// dataTypes hold data: replacing one loses a key (and what it encrypts), a
// secret's value and history, or a database.
var dataTypes = []string{
	"aws:kms/key:Key",
	"aws:secretsmanager/secret:Secret",
	"aws:secretsmanager/secretVersion:SecretVersion",
	"aws:rds/instance:Instance",
}

// configChange is an operator's edit of the stack file and what it may do.
type configChange struct {
	name string
	edit func(cfg map[string]any) error
	// secret is a secret config value to set with the edit (README's "Add a
	// secret", step 2), by key; empty for none.
	secretKey, secretValue string
	// created is in the URN of every resource the change may create ("" for
	// none).
	created string
	// deleted is in the URN of every resource the change may delete ("" for
	// none); a resource that holds data is never one.
	deleted string
	// updated, when set, returns the type and the end of the URN of a
	// resource the change must update (known once edit ran).
	updated func() (typ, urnSuffix string)
}

// checkConfigChanges applies, one after the other, the changes operators make
// most (a new secret as the README shows it, a new workload, another rotation
// schedule) and checks each changes only what it should: nothing is replaced
// or deleted, what is created belongs to the change, up does what the preview
// said, and a preview after it shows nothing left to do.
func checkConfigChanges(t *testing.T, d *deployed, readme []byte) {
	ctx := context.Background()
	changes, err := operatorChanges(d.s.Name, readme)
	require.NoError(t, err)
	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			require.NoError(t, d.s.EditConfig(c.edit))
			if c.secretKey != "" {
				require.NoError(t, d.s.SetSecret(ctx, c.secretKey, c.secretValue, false))
				d.secrets = append(d.secrets, c.secretValue)
			}
			preview, err := d.s.Preview(ctx)
			require.NoError(t, err)
			changed := preview.Changed()
			require.NotEmpty(t, changed, "the change does nothing")
			for _, st := range changed {
				switch {
				case slices.Contains(enginetest.Replacing(), st.Op) && slices.Contains(dataTypes, st.Type):
					t.Errorf("%s: replaces or deletes a resource that holds data: %s", c.name, st)
				case st.Op == apitype.OpDelete && c.deleted != "" && strings.Contains(st.URN, c.deleted):
				case slices.Contains(enginetest.Replacing(), st.Op):
					t.Errorf("%s: replaces or deletes: %s", c.name, st)
				case st.Op == apitype.OpCreate && (c.created == "" || !strings.Contains(st.URN, c.created)):
					t.Errorf("%s: creates a resource that is not part of it: %s", c.name, st)
				}
			}
			if c.updated != nil {
				typ, suffix := c.updated()
				found := slices.ContainsFunc(preview.Of(apitype.OpUpdate), func(st enginetest.Step) bool {
					return st.Type == typ && strings.HasSuffix(st.URN, suffix)
				})
				assert.True(t, found, "%s: got no update of the %s ...%s, want one", c.name, typ, suffix)
			}
			up, err := d.s.Up(ctx)
			require.NoError(t, err)
			want := map[apitype.OpType]int{}
			for op, n := range preview.Changes {
				want[op] = n
			}
			assert.Equal(t, want, up.Changes, "up did other than the preview said")
			after, err := d.s.Preview(ctx)
			require.NoError(t, err)
			assert.Empty(t, after.Changed(), "a preview after the change still has changes (a perpetual diff)")
			var lines []string
			for _, st := range changed {
				lines = append(lines, st.String())
			}
			t.Logf("%s / %s: preview %.1fs, up %.1fs:\n  %s", d.s.Name, c.name, preview.Duration.Seconds(), up.Duration.Seconds(), strings.Join(lines, "\n  "))
		})
	}
}

// operatorChanges builds the four changes for a stack from its config: the
// README's new secret (its environment prefix replaced by the stack's) granted
// to the first workload, a new Lambda workload reading the first secret, a
// shorter rotation period for the first automatically rotated secret, and a
// key ring's new bound, which moves it to another rotator group: its
// rotation is updated to the new function, never replaced, and only the
// emptied group's rotator goes.
func operatorChanges(stackName string, readme []byte) ([]configChange, error) {
	block, err := enginetest.MarkdownBlock(readme, "## Add a secret", "yaml")
	if err != nil {
		return nil, err
	}
	doc, err := enginetest.DecodeYAML(block)
	if err != nil {
		return nil, err
	}
	entries, ok := doc.([]any)
	if !ok || len(entries) != 1 {
		return nil, fmt.Errorf("README's new secret: got %T, want one list entry", doc)
	}
	readmeSecret := entries[0].(map[string]any)
	readmeName, _ := readmeSecret["name"].(string)
	short := readmeName[strings.LastIndex(readmeName, "/")+1:]
	valueKey, _ := readmeSecret["valueConfigKey"].(string)

	secrets := func(cfg map[string]any) []any { s, _ := cfg["secrets-platform:secrets"].([]any); return s }
	env := func(cfg map[string]any) string {
		if e, ok := cfg["secrets-platform:environment"].(string); ok {
			return e
		}
		return stackName
	}
	var rotated string // the name of the secret whose schedule changes
	var ring string    // the name of the key ring that moves
	return []configChange{
		{
			name: "add a secret as the README shows", created: short,
			secretKey: valueKey, secretValue: placeholder(valueKey, fmt.Sprint(readmeSecret["kind"])),
			edit: func(cfg map[string]any) error {
				s := clone(readmeSecret)
				parts := strings.SplitN(strings.TrimPrefix(readmeName, "/"), "/", 2)
				s["name"] = "/" + env(cfg) + "/" + parts[1]
				cfg["secrets-platform:secrets"] = append(secrets(cfg), s)
				if ws, _ := cfg["secrets-platform:workloads"].([]any); len(ws) > 0 {
					w := ws[0].(map[string]any)
					w["secrets"] = append(w["secrets"].([]any), s["name"])
				}
				return nil
			},
		},
		{
			name: "add a workload", created: "reports",
			edit: func(cfg map[string]any) error {
				first := secrets(cfg)[0].(map[string]any)["name"]
				ws, _ := cfg["secrets-platform:workloads"].([]any)
				cfg["secrets-platform:workloads"] = append(ws, map[string]any{"name": "reports", "type": "lambda", "secrets": []any{first}})
				return nil
			},
		},
		{
			name: "change a rotation schedule",
			updated: func() (string, string) {
				// catalog-<group>-<name>-rotation is the secret's SecretRotation.
				parts := strings.Split(strings.TrimPrefix(rotated, "/"), "/")
				return "aws:secretsmanager/secretRotation:SecretRotation", "::catalog-" + parts[1] + "-" + parts[2] + "-rotation"
			},
			edit: func(cfg map[string]any) error {
				for _, x := range secrets(cfg) {
					s := x.(map[string]any)
					rot, _ := s["rotation"].(map[string]any)
					if rot == nil || rot["strategy"] == "manual" || rot["days"] == nil {
						continue
					}
					days := rot["days"].(float64)
					rot["days"] = map[bool]float64{true: 21, false: 14}[days == 14]
					rotated = s["name"].(string)
					return nil
				}
				return fmt.Errorf("stack %s has no secret rotated every N days", stackName)
			},
		},
		{
			// Every resource of a keyring rotator has rotate-keyring- or
			// rotation-keyring- in its name; the secret's own rotation does not.
			name: "move a key ring to another rotator group", created: "keyring-", deleted: "keyring-",
			updated: func() (string, string) {
				parts := strings.Split(strings.TrimPrefix(ring, "/"), "/")
				return "aws:secretsmanager/secretRotation:SecretRotation", "::catalog-" + parts[1] + "-" + parts[2] + "-rotation"
			},
			edit: func(cfg map[string]any) error {
				for _, x := range secrets(cfg) {
					s := x.(map[string]any)
					if rot, _ := s["rotation"].(map[string]any); rot == nil || rot["strategy"] != "keyring" {
						continue
					}
					bound, _ := s["keyring"].(map[string]any)
					if bound == nil {
						bound = map[string]any{}
					}
					bound["maxKeys"] = map[bool]float64{true: 12, false: 11}[bound["maxKeys"] == 11.0]
					s["keyring"] = bound
					ring = s["name"].(string)
					return nil
				}
				return fmt.Errorf("stack %s has no key ring", stackName)
			},
		},
	}, nil
}

func clone(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
