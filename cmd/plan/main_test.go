package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/stack"
)

const root = "../.."

func runPlan(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return out.String(), errOut.String(), code
}

func committedStacks(t *testing.T) []string {
	t.Helper()
	names, err := mockrun.StackNames(root)
	require.NoError(t, err)
	require.NotEmpty(t, names)
	return names
}

func TestPlanEveryStackInBothFormatsIsStable(t *testing.T) {
	for _, name := range committedStacks(t) {
		for _, format := range [][]string{nil, {"--json"}, {"--section", "policies"}} {
			t.Run(name+strings.Join(format, ""), func(t *testing.T) {
				args := append([]string{"--stack", name, "--dir", root}, format...)
				first, stderr, code := runPlan(t, args...)
				require.Equal(t, 0, code, "got exit %d, want 0; stderr: %s", code, stderr)
				second, _, _ := runPlan(t, args...)
				assert.Equal(t, first, second, "two runs of the plan differ")
				if len(format) > 0 && format[0] == "--json" {
					var p Plan
					require.NoError(t, json.Unmarshal([]byte(first), &p), "the JSON plan parses")
					assert.Equal(t, name, p.Stack)
					assert.NotEmpty(t, p.Components)
					assert.Contains(t, p.Outputs, "alertTopicName")
				}
			})
		}
	}
}

// policiesIn collects every policy document a recording's inputs hold,
// compacted, so the plan can be checked for each.
func policiesIn(t *testing.T, rec *mockrun.Recording) []string {
	t.Helper()
	var docs []string
	var walk func(v resource.PropertyValue)
	walk = func(v resource.PropertyValue) {
		switch {
		case v.IsSecret():
			walk(v.SecretValue().Element)
		case v.IsOutput():
			walk(v.OutputValue().Element)
		case v.IsString():
			if doc, ok := policyDocument(v.StringValue()); ok {
				var buf bytes.Buffer
				require.NoError(t, json.Compact(&buf, doc))
				docs = append(docs, buf.String())
			}
		case v.IsArray():
			for _, e := range v.ArrayValue() {
				walk(e)
			}
		case v.IsObject():
			for _, e := range v.ObjectValue() {
				walk(e)
			}
		}
	}
	for _, r := range rec.Resources {
		walk(resource.NewObjectProperty(r.Inputs))
	}
	return docs
}

func TestPlanContainsEveryPolicyDocument(t *testing.T) {
	for _, name := range committedStacks(t) {
		t.Run(name, func(t *testing.T) {
			st, err := mockrun.LoadStack(root, name)
			require.NoError(t, err)
			rec, err := mockrun.Run(st, stack.Compose)
			require.NoError(t, err)
			want := policiesIn(t, rec)
			require.NotEmpty(t, want)
			// Key policies, the topic policy, trust and identity policies at least.
			for _, typ := range []string{"aws:kms/key:Key", "aws:sns/topicPolicy:TopicPolicy", "aws:iam/role:Role"} {
				require.NotEmpty(t, rec.OfType(typ), "stack registers %s", typ)
			}

			out, stderr, code := runPlan(t, "--stack", name, "--dir", root, "--json")
			require.Equal(t, 0, code, stderr)
			var p Plan
			require.NoError(t, json.Unmarshal([]byte(out), &p))
			var got []string
			for _, pol := range p.Policies {
				var buf bytes.Buffer
				require.NoError(t, json.Compact(&buf, pol.Document))
				got = append(got, buf.String())
			}
			assert.ElementsMatch(t, want, got, "got %d policy documents in the plan, want %d", len(got), len(want))

			md, _, code := runPlan(t, "--stack", name, "--dir", root)
			require.Equal(t, 0, code)
			for _, pol := range p.Policies {
				var buf bytes.Buffer
				require.NoError(t, json.Indent(&buf, pol.Document, "", "  "))
				assert.Contains(t, md, buf.String(), "the Markdown plan prints %s of %s in full", pol.Input, pol.Resource)
			}
		})
	}
}

func TestPlanNeverPrintsASecretValue(t *testing.T) {
	for _, name := range committedStacks(t) {
		t.Run(name, func(t *testing.T) {
			st, err := mockrun.LoadStack(root, name)
			require.NoError(t, err)
			st, err = st.WithPlaceholderSecrets()
			require.NoError(t, err)
			// A strict stack hands Pulumi no secret value but a webhook URL
			// (it carries a token); every stack gets one.
			st = st.WithSecret("alerts", `{"emails":["secops@example.com"],"httpsEndpoints":["https://hooks.example.com/services/T0/not-a-real-value-webhook-token"]}`)
			rec, err := mockrun.Run(st, stack.Compose)
			require.NoError(t, err)
			var secrets []string
			for _, k := range st.SecretKeys {
				secrets = append(secrets, st.Config[k])
			}
			require.NotEmpty(t, secrets, "the stack has secret values to hide")
			p, err := build(rec)
			require.NoError(t, err)
			var md, js bytes.Buffer
			require.NoError(t, writeMarkdown(&md, p, "all"))
			require.NoError(t, writeJSON(&js, p, "all"))
			for _, out := range []string{md.String(), js.String()} {
				assert.Contains(t, out, Redacted)
				// strings.Contains, not assert.NotContains, which would print the value.
				assert.False(t, strings.Contains(out, "not-a-real-value"), "a placeholder secret value leaked")
				for _, s := range secrets {
					require.NotEmpty(t, s)
					assert.False(t, strings.Contains(out, s), "a secret value leaked into the plan (not shown)")
				}
			}
		})
	}
}

func TestBadConfigFailsWithTheConfigError(t *testing.T) {
	dir := t.TempDir()
	project, err := os.ReadFile(filepath.Join(root, "Pulumi.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), project, 0o600))
	prod, err := os.ReadFile(filepath.Join(root, "Pulumi.prod.yaml"))
	require.NoError(t, err)
	bad := strings.Replace(string(prod), "kind: json", "kind: yaml", 1)
	require.NotEqual(t, string(prod), bad, "the edit applies")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.bad.yaml"), []byte(bad), 0o600))

	out, stderr, code := runPlan(t, "--stack", "bad", "--dir", dir)
	assert.Equal(t, 1, code, "got exit %d, want 1", code)
	assert.Empty(t, out, "nothing is planned from bad config")
	assert.True(t, strings.HasPrefix(stderr, `error: stack "bad" has 1 config problem(s):`), "got stderr %q, want the config error as pulumi up prints it", stderr)
	assert.Contains(t, stderr, `secrets-platform:secrets[1].kind = "yaml": one of json, string, password, keyring, database`)
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"no stack", nil, 2},
		{"unknown section", []string{"--stack", "prod", "--section", "nope"}, 2},
		{"missing stack file", []string{"--stack", "nope", "--dir", root}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, code := runPlan(t, tt.args...)
			assert.Equal(t, tt.want, code, "got exit %d, want %d", code, tt.want)
		})
	}
}

func TestMarkdownGroupsResourcesByComponent(t *testing.T) {
	// No --dir: the project is found from the working directory upward.
	md, stderr, code := runPlan(t, "--stack", "prod")
	require.Equal(t, 0, code, stderr)
	tests := []struct{ heading, resource string }{
		{"### alerts (`secrets-platform:alerts:Alerts`)", "- `aws:sns/topic:Topic` **alerts-topic**"},
		{"### platform-key (`secrets-platform:secrets:Key`)", "- `aws:kms/key:Key` **platform-key-key** protected"},
	}
	for _, tt := range tests {
		t.Run(tt.heading, func(t *testing.T) {
			i := strings.Index(md, tt.heading)
			require.GreaterOrEqual(t, i, 0, "got no section %q", tt.heading)
			next := strings.Index(md[i+len(tt.heading):], "\n### ")
			require.Greater(t, next, 0)
			assert.Contains(t, md[i:i+len(tt.heading)+next], tt.resource, "got the resource outside its component's section")
		})
	}
}
