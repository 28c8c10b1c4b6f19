package delivery

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	reviewedCommit = "0123456789abcdef0123456789abcdef01234567"
	keyURN         = "urn:pulumi:prod::secrets-platform::secrets-platform:secrets:Keys$aws:kms/key:Key::keys-secrets"
)

// samplePreview is testdata/preview.json, shaped like `pulumi preview --json`
// of CLI v3.276.0 (display.PreviewDigest): same, update, create and delete
// steps, a blinded secret and an unknown value.
func samplePreview(t *testing.T) map[string]any {
	t.Helper()
	raw, err := os.ReadFile("testdata/preview.json")
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	return m
}

func digestOf(t *testing.T, preview map[string]any, commit string) Digest {
	t.Helper()
	raw, err := json.Marshal(preview)
	require.NoError(t, err)
	d, err := ParsePreview(bytes.NewReader(raw), commit)
	require.NoError(t, err)
	return d
}

func steps(p map[string]any) []any { return p["steps"].([]any) }

func stepOf(p map[string]any, op string) map[string]any {
	for _, s := range steps(p) {
		if m := s.(map[string]any); m["op"] == op {
			return m
		}
	}
	panic("no step " + op)
}

func TestParsePreviewKeepsWhatWouldBeApplied(t *testing.T) {
	d := digestOf(t, samplePreview(t), reviewedCommit)

	assert.Equal(t, reviewedCommit, d.Commit)
	var got []string
	for _, c := range d.Changes {
		got = append(got, c.Op+" "+c.URN[strings.LastIndex(c.URN, "::")+2:])
	}
	assert.Equal(t, []string{"delete alerts-old-rule", "create catalog-stripe-value", "update keys-secrets"}, got,
		"changes ordered by URN, the unchanged stack dropped")
	update := d.Changes[2]
	assert.Equal(t, `{"deletionWindowInDays":30,"enableKeyRotation":true,"policy":"{\"Version\":\"2012-10-17\",\"Statement\":[]}"}`, string(update.Inputs),
		"inputs in canonical JSON with sorted keys")
	assert.True(t, update.Protect)
	assert.Equal(t, []string{"policy"}, update.DiffReasons)
	create := d.Changes[1]
	assert.Contains(t, string(create.Inputs), `"secretString":"[secret]"`, "the CLI's blinded secret is kept as it is")
	assert.Equal(t, []string{"secretString"}, create.IgnoreChanges)
	assert.Equal(t, "[secret]", d.Config["secrets-platform:stripeValue"])
}

func TestDigestIgnoresWhatDiffersBetweenTwoPreviewsOfOneChange(t *testing.T) {
	reviewed := digestOf(t, samplePreview(t), reviewedCommit)

	again := samplePreview(t)
	again["duration"] = 99
	again["diagnostics"] = []any{map[string]any{"message": "another warning", "severity": "warning"}}
	stepOf(again, "update")["newState"].(map[string]any)["modified"] = "2026-12-05T00:00:00Z"
	s := steps(again)
	s[0], s[1], s[2], s[3] = s[3], s[2], s[1], s[0]

	assert.Empty(t, digestOf(t, again, reviewedCommit).Differences(reviewed))
}

func TestDigestSurvivesTheArtifactRoundTrip(t *testing.T) {
	reviewed := digestOf(t, samplePreview(t), reviewedCommit)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ") // as previewdigest writes it
	require.NoError(t, enc.Encode(reviewed))
	var read Digest
	require.NoError(t, json.Unmarshal(buf.Bytes(), &read))

	assert.Empty(t, digestOf(t, samplePreview(t), reviewedCommit).Differences(read))
}

func TestDigestFindsEveryDifferenceFromTheReviewedPreview(t *testing.T) {
	reviewed := digestOf(t, samplePreview(t), reviewedCommit)
	tests := []struct {
		name   string
		commit string
		change func(p map[string]any)
		want   []string
	}{
		{name: "another commit", commit: "fedcba9876543210fedcba9876543210fedcba98", change: func(map[string]any) {},
			want: []string{"commit: reviewed " + reviewedCommit + ", now fedcba9876543210fedcba9876543210fedcba98"}},
		{name: "another input value", change: func(p map[string]any) {
			stepOf(p, "update")["newState"].(map[string]any)["inputs"].(map[string]any)["deletionWindowInDays"] = 7
		}, want: []string{"changed since review: update " + keyURN}},
		{name: "protection dropped", change: func(p map[string]any) {
			stepOf(p, "update")["newState"].(map[string]any)["protect"] = false
		}, want: []string{"changed since review: update " + keyURN}},
		{name: "an update became a replacement", change: func(p map[string]any) {
			stepOf(p, "update")["op"] = "replace"
		}, want: []string{"not reviewed: replace " + keyURN, "reviewed but no longer proposed: update " + keyURN}},
		{name: "a step more", change: func(p map[string]any) {
			p["steps"] = append(steps(p), map[string]any{"op": "delete", "urn": "urn:pulumi:prod::secrets-platform::aws:kms/key:Key::other"})
		}, want: []string{"not reviewed: delete urn:pulumi:prod::secrets-platform::aws:kms/key:Key::other"}},
		{name: "a step less", change: func(p map[string]any) {
			p["steps"] = steps(p)[:3]
		}, want: []string{"reviewed but no longer proposed: delete urn:pulumi:prod::secrets-platform::secrets-platform:alerts:Alerts$aws:cloudwatch/eventRule:EventRule::alerts-old-rule"}},
		{name: "other config", change: func(p map[string]any) {
			p["config"].(map[string]any)["aws:region"] = "eu-central-1"
		}, want: []string{"config aws:region: differs from the reviewed preview"}},
		{name: "another provider", change: func(p map[string]any) {
			stepOf(p, "create")["provider"] = "urn:pulumi:prod::secrets-platform::pulumi:providers:aws::other::1"
		}, want: []string{"changed since review: create urn:pulumi:prod::secrets-platform::secrets-platform:secrets:Catalog$aws:secretsmanager/secretVersion:SecretVersion::catalog-stripe-value"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := samplePreview(t)
			tt.change(p)
			commit := reviewedCommit
			if tt.commit != "" {
				commit = tt.commit
			}
			assert.Equal(t, tt.want, digestOf(t, p, commit).Differences(reviewed))
		})
	}
}

func TestParsePreviewRefusesWhatItCannotTie(t *testing.T) {
	_, err := ParsePreview(strings.NewReader(`{"steps":[]}`), "")
	assert.ErrorContains(t, err, "commit is required")
	_, err = ParsePreview(strings.NewReader(`error: no language plugin`), reviewedCommit)
	assert.ErrorContains(t, err, "parse preview")
	_, err = ParsePreview(strings.NewReader(`{"steps":[{"op":"create"}]}`), reviewedCommit)
	assert.ErrorContains(t, err, "without op or urn")
}

func TestWriteMarkdownShowsTheDigestAndEscapesValues(t *testing.T) {
	p := samplePreview(t)
	stepOf(p, "create")["newState"].(map[string]any)["inputs"].(map[string]any)["description"] = "</pre>## No changes"
	var b strings.Builder
	require.NoError(t, digestOf(t, p, reviewedCommit).WriteMarkdown(&b, "prod"))
	out := b.String()

	assert.Contains(t, out, "## Preview of `prod` at `"+reviewedCommit+"`")
	assert.Contains(t, out, "1 create, 1 delete, 1 update.")
	assert.Contains(t, out, "| update | `"+keyURN+"` | `policy` (update) |")
	assert.NotContains(t, out, "</pre>## No changes", "an input value cannot end the <pre> block")
	assert.Contains(t, out, `\u003c/pre\u003e## No changes`, "JSON escapes it, and the <pre> is HTML-escaped too")

	b.Reset()
	require.NoError(t, Digest{Commit: reviewedCommit, Changes: []Change{}}.WriteMarkdown(&b, "staging"))
	assert.Contains(t, b.String(), "No changes.")
}
