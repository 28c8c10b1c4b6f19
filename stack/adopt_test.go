package stack_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/internal/rules"
	"github.com/acme/secrets-platform/stack"
)

// TestAdoptedSecretsAreImportedWithoutTheirValues: an adopted secret is
// registered with Pulumi's import option under its ARN, keeps that ARN,
// gets no first version (importing one would put its value in state), is
// not awaiting a first value, and is otherwise managed like the others: the
// stack's key, its tags. The adopted key becomes the stack's secrets key.
func TestAdoptedSecretsAreImportedWithoutTheirValues(t *testing.T) {
	rec, err := mockrun.Run(loadExample(t), stack.Compose)
	require.NoError(t, err)
	for _, v := range rules.Check(rec) {
		t.Errorf("%s", v)
	}
	const keyID = "1f6c3d2e-8a4b-4c5d-9e7f-0a1b2c3d4e5f"
	key := rotMust(t, rec, "secrets-key-key")
	assert.Equal(t, keyID, key.ImportID, "the secrets key's import id, got/want")
	keyARN := outputString(t, rec, "secretsKeyArn")
	assert.Equal(t, "arn:aws:kms:eu-west-1:333344445555:key/"+keyID, keyARN, "the adopted key keeps its ARN")
	assert.Empty(t, rotMust(t, rec, "platform-key-key").ImportID, "the platform key is created")

	var arns map[string]string
	require.NoError(t, rec.Outputs["secretArns"].Decode(&arns))
	var awaiting map[string]any
	require.NoError(t, rec.Outputs["secretsAwaitingFirstValue"].Decode(&awaiting))
	// arn "" is the secret the stack creates beside them.
	for _, tt := range []struct{ name, arn string }{
		{"/prod/app/openai", "arn:aws:secretsmanager:eu-west-1:333344445555:secret:/prod/app/openai-Q1w2E3"},
		{"/prod/app/stripe", "arn:aws:secretsmanager:eu-west-1:333344445555:secret:/prod/app/stripe-Rt5Yu7"},
		{"/prod/integrations/twilio", "arn:aws:secretsmanager:eu-west-1:333344445555:secret:/prod/integrations/twilio-Io9Pa1"},
		{"/prod/app/database-app", ""},
	} {
		name, arn := tt.name, tt.arn
		t.Run(name, func(t *testing.T) {
			var sec mockrun.Resource
			for _, s := range rec.OfType(mockrun.TypeSecret) {
				if s.Str("name") == name {
					sec = s
				}
			}
			require.NotEmpty(t, sec.Name, "got no secret %s", name)
			versions := 0
			for _, v := range rec.Children(mustParent(t, rec, sec)) {
				if v.Type == mockrun.TypeSecretVersion {
					versions++
				}
			}
			assert.Equal(t, keyARN, sec.Str("kmsKeyId"), "every secret moves to the stack's key")
			if arn == "" {
				assert.Empty(t, sec.ImportID, "a new secret is created")
				assert.Equal(t, 1, versions, "a created secret has its placeholder first version")
				return
			}
			assert.Equal(t, arn, sec.ImportID, "import id, got/want")
			assert.Equal(t, arn, arns[name], "secretArns keeps the adopted ARN")
			assert.Equal(t, 0, versions, "an adopted secret gets no version from the stack")
			assert.Equal(t, "adopted", sec.Tags()["FirstValue"])
			assert.Equal(t, "pulumi", sec.Tags()["ManagedBy"])
			assert.NotContains(t, awaiting, name, "an adopted secret has its value")
			assert.True(t, sec.Protect, "a strict stack protects adopted secrets too")
		})
	}
}

// TestAdoptedSecretDoesNotRotateOnImport: an adopted secret that rotates
// gets its rotator and schedule, but its first rotation waits for the
// schedule (or an operator), unlike a created secret's placeholder.
func TestAdoptedSecretDoesNotRotateOnImport(t *testing.T) {
	st := editJSON(t, loadExample(t), "secrets", func(es *[]map[string]any) {
		(*es)[1]["rotation"] = map[string]any{"strategy": "random", "days": 30}
	})
	rec, err := mockrun.Run(st, stack.Compose)
	require.NoError(t, err)
	for _, v := range rules.Check(rec) {
		t.Errorf("%s", v)
	}
	rot := rotMust(t, rec, "catalog-app-openai-rotation")
	now, set := rot.Bool("rotateImmediately")
	require.True(t, set)
	assert.False(t, now, "an adopted secret rotates on import, want it to wait for its schedule")
	assert.Equal(t, "arn:aws:secretsmanager:eu-west-1:333344445555:secret:/prod/app/openai-Q1w2E3", rot.Str("secretId"))
}

// mustParent is the component a resource belongs to.
func mustParent(t *testing.T, rec *mockrun.Recording, res mockrun.Resource) mockrun.Resource {
	t.Helper()
	p, ok := rec.ByURN(res.Parent)
	require.True(t, ok, "%s has no parent in the recording", res.Name)
	return p
}
