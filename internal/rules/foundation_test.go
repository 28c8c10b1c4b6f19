package rules_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/internal/rules"
	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/stack"
)

// record runs the committed prod stack (strict) with placeholder values.
func record(t *testing.T, name string) *mockrun.Recording {
	t.Helper()
	st, err := mockrun.LoadStack("../..", name)
	require.NoError(t, err)
	st, err = st.WithPlaceholderSecrets()
	require.NoError(t, err)
	rec, err := mockrun.Run(st, stack.Compose)
	require.NoError(t, err)
	require.Empty(t, rules.Check(rec), "the committed stack is clean before it is broken on purpose")
	return rec
}

// broken returns a copy of rec whose first resource of typ is changed by edit.
func broken(rec *mockrun.Recording, typ string, edit func(*mockrun.Resource)) *mockrun.Recording {
	out := *rec
	out.Resources = slices.Clone(rec.Resources)
	for i, r := range out.Resources {
		if r.Type == typ {
			r.Inputs = r.Inputs.Copy()
			r.IgnoreChanges = slices.Clone(r.IgnoreChanges)
			edit(&r)
			out.Resources[i] = r
			return &out
		}
	}
	return &out
}

func set(key string, v any) func(*mockrun.Resource) {
	return func(r *mockrun.Resource) { r.Inputs[resource.PropertyKey(key)] = resource.NewPropertyValue(v) }
}

func TestFoundationRulesCatchEachBreak(t *testing.T) {
	prod := record(t, "prod")
	// Only a disposable stack may hand a value through secret config.
	staging := record(t, "staging")
	withValue := func(r *mockrun.Resource) {
		r.Inputs["secretString"] = resource.MakeSecret(resource.NewPropertyValue(`{"apiKey":"a-value-from-secret-config"}`))
	}
	cases := []struct {
		name string
		rec  *mockrun.Recording
		rule int
		want string
	}{
		{"secret on the AWS managed key", broken(prod, mockrun.TypeSecret, set("kmsKeyId", "alias/aws/secretsmanager")), 1, "not a customer-managed key"},
		{"key rotation off", broken(prod, mockrun.TypeKMSKey, set("enableKeyRotation", false)), 3, "enableKeyRotation"},
		{"lockout check bypassed", broken(prod, mockrun.TypeKMSKey, set("bypassPolicyLockoutSafetyCheck", true)), 3, "bypassPolicyLockoutSafetyCheck"},
		{"short deletion window in a strict stack", broken(prod, mockrun.TypeKMSKey, set("deletionWindowInDays", 7)), 3, "want 30"},
		{"key disabled", broken(prod, mockrun.TypeKMSKey, set("isEnabled", false)), 3, "disabled"},
		{"star principal in the key policy", broken(prod, mockrun.TypeKMSKey, set("policy",
			`{"Version":"2012-10-17","Statement":[{"Sid":"Open","Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}`)), 4, "* principal"},
		{"kms:* for administrators", broken(prod, mockrun.TypeKMSKey, set("policy",
			`{"Version":"2012-10-17","Statement":[{"Sid":"Admins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/a"},"Action":"kms:*","Resource":"*"}]}`)), 4, "wildcard action"},
		{"unconditioned service statement", broken(prod, mockrun.TypeKMSKey, set("policy",
			`{"Version":"2012-10-17","Statement":[{"Sid":"Logs","Effect":"Allow","Principal":{"Service":"logs.amazonaws.com"},"Action":"kms:Decrypt","Resource":"*"}]}`)), 4, "not conditioned"},
		{"unprotected secret in a strict stack", broken(prod, mockrun.TypeSecret, func(r *mockrun.Resource) { r.Protect = false }), 15, "not protected"},
		{"no recovery window in a strict stack", broken(prod, mockrun.TypeSecret, set("recoveryWindowInDays", 0)), 15, "recoveryWindowInDays = 0"},
		{"overwritable first value", broken(prod, mockrun.TypeSecretVersion, func(r *mockrun.Resource) { r.IgnoreChanges = nil }), 15, "ignoreChanges"},
		{"unmarked secret value", brokenValue(staging, func(r *mockrun.Resource) {
			v, _ := r.Input("secretString")
			r.Inputs["secretString"] = v // the same value, without the secret mark
		}), 16, "neither marked secret nor a placeholder"},
		{"secret copied into a tag", broken(staging, mockrun.TypeSecret, func(r *mockrun.Resource) {
			r.Inputs["description"] = resource.NewPropertyValue("copy of " + secretValueOf(t, staging))
		}), 16, "unmarked"},
		{"a value in a strict stack's first version", broken(prod, mockrun.TypeSecretVersion, withValue), 17, "want a placeholder"},
		{"a placeholder without its label", broken(prod, mockrun.TypeSecretVersion, func(r *mockrun.Resource) { delete(r.Inputs, "versionStages") }), 17, "versionStages"},
		{"labels Pulumi would move back", broken(prod, mockrun.TypeSecretVersion, func(r *mockrun.Resource) { r.IgnoreChanges = []string{"secretString"} }), 17, "versionStages is not in ignoreChanges"},
		{"a generated password in a strict stack", withResource(prod, mockrun.Resource{Type: "random:index/randomPassword:RandomPassword", Name: "x-password", Inputs: resource.PropertyMap{}}), 17, "pulumi-random"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			vs := rules.Check(tc.rec)
			require.NotEmpty(t, vs, "want a rule %d violation", tc.rule)
			i := slices.IndexFunc(vs, func(v rules.Violation) bool { return v.Rule == tc.rule && strings.Contains(v.Message, tc.want) })
			assert.GreaterOrEqual(t, i, 0, "want rule %d %q, got %v", tc.rule, tc.want, vs)
		})
	}
}

// secretValueOf is the first value from secret config in a recording.
func secretValueOf(t *testing.T, rec *mockrun.Recording) string {
	for _, v := range rec.OfType(mockrun.TypeSecretVersion) {
		if !contract.IsPlaceholder([]byte(v.Str("secretString"))) {
			return v.Str("secretString")
		}
	}
	t.Fatalf("recording of %s has no version with a value from secret config", rec.Stack)
	return ""
}

// brokenValue is broken for the first version that holds a value.
func brokenValue(rec *mockrun.Recording, edit func(*mockrun.Resource)) *mockrun.Recording {
	out := *rec
	out.Resources = slices.Clone(rec.Resources)
	for i, r := range out.Resources {
		if r.Type == mockrun.TypeSecretVersion && !contract.IsPlaceholder([]byte(r.Str("secretString"))) {
			r.Inputs = r.Inputs.Copy()
			edit(&r)
			out.Resources[i] = r
			break
		}
	}
	return &out
}

// withResource is rec with one more resource.
func withResource(rec *mockrun.Recording, res mockrun.Resource) *mockrun.Recording {
	out := *rec
	out.Resources = append(slices.Clone(rec.Resources), res)
	return &out
}

func TestDisposableStacksMayDeleteAtOnce(t *testing.T) {
	staging := record(t, "staging")
	assert.False(t, staging.Strict)
	for _, s := range staging.OfType(mockrun.TypeSecret) {
		assert.False(t, s.Protect, "%s: disposable stacks do not protect", s.Name)
	}
}
