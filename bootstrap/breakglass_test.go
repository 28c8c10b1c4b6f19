package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/testenv"
	"github.com/acme/secrets-platform/secrets"
)

func TestBreakGlassRoleIsRegisteredShortAndScoped(t *testing.T) {
	for name, rec := range bootstrapStacks(t) {
		t.Run(name, func(t *testing.T) {
			st := loadSettings(t, strings.TrimSuffix(name, "+pulumi-cloud"))
			env := st.Config["secrets-platform-bootstrap:appEnvironment"]
			r := role(t, rec, breakGlassRoleName)
			secs, ok := r.Int("maxSessionDuration")
			require.True(t, ok, "maxSessionDuration is set")
			assert.Equal(t, 3600, secs)

			trust, err := iam.Parse(r.Str("assumeRolePolicy"))
			require.NoError(t, err)
			require.Len(t, trust.Statement, 1)
			c := trust.Statement[0].Condition
			assert.Equal(t, iam.Strings{"true"}, c["Bool"]["aws:MultiFactorAuthPresent"])
			assert.Equal(t, iam.Strings{"900"}, c["NumericLessThanEquals"]["aws:MultiFactorAuthAge"])
			assert.Equal(t, iam.Strings{"?*"}, c["StringLike"]["aws:RequestTag/incident"])
			assert.Equal(t, iam.Strings{"eu-west-1"}, c["StringEquals"]["aws:RequestedRegion"])

			doc := inlinePolicy(t, rec, breakGlassRoleName)
			for _, s := range doc.Statement {
				if s.Effect == iam.Allow && s.Sid == "ReadThisEnvironmentsSecrets" {
					require.Len(t, s.Resource, 1)
					assert.Contains(t, s.Resource[0], ":secret:/"+env+"/*")
				}
			}
			parent, ok := rec.Named("break-glass")
			require.True(t, ok, "the role has its component")
			assert.Len(t, rec.Children(parent), 2, "a role and its inline policy, nothing else")
		})
	}
}

// Break-glass decisions of the IAM simulator: what a person may do with the
// role, and what the role's session may do. Denials say which kind.
const (
	allowed  = "Allowed"
	implicit = "ImplicitlyDenied"
	explicit = "ExplicitlyDenied"
)

// simContextKey stands in for kms:EncryptionContext:SecretARN, which the
// simulator drops (tools/iamsim README): renamed in policy and request alike,
// the condition is really evaluated (as stack/access_test.go does).
const simContextKey = "aws:RequestTag/SecretARN"

func simDoc(t *testing.T, d iam.Document) json.RawMessage {
	t.Helper()
	s, err := d.JSON()
	require.NoError(t, err)
	return json.RawMessage(strings.ReplaceAll(s, iam.EncryptionContextSecretARN, simContextKey))
}

type glassProbe struct {
	req  testenv.IAMRequest
	want string
}

// TestBreakGlassWithIAMSimulator: for the prod account and the staging
// account, a person with fresh MFA and an incident tag may assume the role and
// read this environment's secrets; without MFA, with stale MFA, without the
// tag, with another tag, through the global STS endpoint or from another
// account they may not; the session may not write a secret, change a key or
// its use, decrypt outside Secrets Manager, or read the other environment's
// secrets.
func TestBreakGlassWithIAMSimulator(t *testing.T) {
	sim := testenv.NewIAMSim(t)
	accounts := []struct {
		env   string
		a     iam.Account
		other iam.Account
	}{
		{"prod", iam.Account{ID: "111122223333", Partition: "aws", Region: "eu-west-1", DNSSuffix: "amazonaws.com"},
			iam.Account{ID: "210987654321", Partition: "aws", Region: "eu-west-1", DNSSuffix: "amazonaws.com"}},
		{"staging", iam.Account{ID: "210987654321", Partition: "aws", Region: "eu-west-1", DNSSuffix: "amazonaws.com"},
			iam.Account{ID: "111122223333", Partition: "aws", Region: "eu-west-1", DNSSuffix: "amazonaws.com"}},
	}
	otherEnv := map[string]string{"prod": "staging", "staging": "prod"}
	var probes []glassProbe
	for _, acc := range accounts {
		probes = append(probes, assumeProbes(t, acc.a)...)
		probes = append(probes, sessionProbes(t, acc.env, otherEnv[acc.env], acc.a, acc.other)...)
	}
	reqs := make([]testenv.IAMRequest, len(probes))
	for i, p := range probes {
		reqs[i] = p.req
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	got, err := sim.Evaluate(ctx, reqs)
	require.NoError(t, err)
	counts := map[string]int{}
	wrong := 0
	for i, d := range got {
		require.Empty(t, d.Error, "%s: simulator error", probes[i].req.Name)
		require.Empty(t, d.IgnoredContextKeys, "%s: the simulator ignored context keys, so a condition went untested", probes[i].req.Name)
		counts[d.Result]++
		if !assert.Equal(t, probes[i].want, d.Result, probes[i].req.Name) {
			wrong++
		}
	}
	t.Logf("break-glass: %d decisions (%d allowed, %d implicitly denied, %d explicitly denied), %d wrong",
		len(got), counts[allowed], counts[implicit], counts[explicit], wrong)
	assert.Positive(t, counts[allowed])
	assert.Positive(t, counts[explicit])
}

// assumeProbes ask whether a person may call AssumeRole (and TagSession) on
// the role, with their own policy allowing it and the role's trust policy.
func assumeProbes(t *testing.T, a iam.Account) []glassProbe {
	roleArn := a.GlobalARN("iam", "role/"+breakGlassRoleName)
	person := a.GlobalARN("iam", "user/alice")
	own := simDoc(t, iam.New(iam.Statement{Effect: iam.Allow, Action: iam.Strings{"sts:AssumeRole", "sts:TagSession"}, Resource: iam.Strings{roleArn}}))
	good := func() map[string]any {
		return map[string]any{
			"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "120",
			"aws:RequestTag/incident": "INC-4711", "aws:TagKeys": []string{"incident"},
			"aws:RequestedRegion": a.Region,
		}
	}
	with := func(change func(map[string]any)) map[string]any {
		c := good()
		change(c)
		return c
	}
	trust := simDoc(t, breakGlassTrust(a))
	var out []glassProbe
	add := func(name, principal string, ctx map[string]any, want string) {
		for _, action := range []string{"sts:AssumeRole", "sts:TagSession"} {
			out = append(out, glassProbe{want: want, req: testenv.IAMRequest{
				Name:      fmt.Sprintf("%s: %s %s", a.ID, action, name),
				Principal: principal, Action: action, Resource: roleArn, ResourceAccount: a.ID,
				IdentityPolicies: []json.RawMessage{own}, ResourcePolicy: trust, Context: ctx,
			}})
		}
	}
	add("with fresh MFA and an incident tag", person, good(), allowed)
	add("without MFA", person, with(func(c map[string]any) { c["aws:MultiFactorAuthPresent"] = "false" }), implicit)
	add("with no MFA context at all", person, with(func(c map[string]any) {
		delete(c, "aws:MultiFactorAuthPresent")
		delete(c, "aws:MultiFactorAuthAge")
	}), implicit)
	add("with MFA an hour old", person, with(func(c map[string]any) { c["aws:MultiFactorAuthAge"] = "3600" }), implicit)
	add("without the incident tag", person, with(func(c map[string]any) {
		delete(c, "aws:RequestTag/incident")
		c["aws:TagKeys"] = []string{}
	}), implicit)
	add("with an empty incident tag", person, with(func(c map[string]any) { c["aws:RequestTag/incident"] = "" }), implicit)
	add("with a second tag", person, with(func(c map[string]any) {
		c["aws:RequestTag/Environment"] = "prod"
		c["aws:TagKeys"] = []string{"incident", "Environment"}
	}), implicit)
	add("through the global STS endpoint", person, with(func(c map[string]any) { c["aws:RequestedRegion"] = "us-east-1" }), implicit)
	add("from another account", "arn:aws:iam::444455556666:user/mallory", good(), implicit)
	return out
}

// sessionProbes ask what a session of the role may do, with its inline
// policy and, for KMS, the stack's secrets-key policy.
func sessionProbes(t *testing.T, env, other string, a, otherAcct iam.Account) []glassProbe {
	roleArn := a.GlobalARN("iam", "role/"+breakGlassRoleName)
	policy := simDoc(t, breakGlassPolicy(a, env))
	keyArn := a.ARN("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab")
	keyPolicy := simDoc(t, secrets.KeyPolicy(secrets.KeyPolicyArgs{Account: a, AdminRoleARNs: []string{a.GlobalARN("iam", "role/platform-admin")}}))
	secret := a.ARN("secretsmanager", "secret:/"+env+"/app/stripe-AbCdEf")
	session := func() map[string]any {
		return map[string]any{"aws:MultiFactorAuthPresent": "true", "aws:PrincipalTag/incident": "INC-4711"}
	}
	var out []glassProbe
	add := func(name, action, resource, account string, ctx map[string]any, withKeyPolicy bool, want string) {
		req := testenv.IAMRequest{Name: fmt.Sprintf("%s: %s %s", a.ID, action, name), Principal: roleArn, Action: action,
			Resource: resource, ResourceAccount: account, IdentityPolicies: []json.RawMessage{policy}, Context: ctx}
		if withKeyPolicy {
			req.ResourcePolicy = keyPolicy
		}
		out = append(out, glassProbe{req: req, want: want})
	}
	viaSM := func(secretArn string) map[string]any {
		c := session()
		c["kms:ViaService"], c["kms:CallerAccount"], c[simContextKey] = a.ServiceHost("secretsmanager"), a.ID, secretArn
		return c
	}
	for _, action := range []string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"} {
		add("on this environment's secret", action, secret, a.ID, session(), false, allowed)
		add("without MFA", action, secret, a.ID, func() map[string]any { c := session(); c["aws:MultiFactorAuthPresent"] = "false"; return c }(), false, explicit)
		add("without the incident tag", action, secret, a.ID, func() map[string]any { c := session(); delete(c, "aws:PrincipalTag/incident"); return c }(), false, explicit)
		add("on the other environment's secret in this account", action, a.ARN("secretsmanager", "secret:/"+other+"/app/stripe-AbCdEf"), a.ID, session(), false, implicit)
		add("on the other environment's secret in its account", action, otherAcct.ARN("secretsmanager", "secret:/"+other+"/app/stripe-AbCdEf"), otherAcct.ID, session(), false, implicit)
		add("on the RDS-managed master secret", action, a.ARN("secretsmanager", "secret:rds!db-0a1b2c3d-AbCdEf"), a.ID, session(), false, implicit)
	}
	add("through Secrets Manager for this environment's secret", "kms:Decrypt", keyArn, a.ID, viaSM(secret), true, allowed)
	add("directly, not through Secrets Manager", "kms:Decrypt", keyArn, a.ID, session(), true, implicit)
	add("through Secrets Manager for the other environment's secret", "kms:Decrypt", keyArn, a.ID, viaSM(a.ARN("secretsmanager", "secret:/"+other+"/app/x-AbCdEf")), true, implicit)
	add("through Secrets Manager without MFA", "kms:Decrypt", keyArn, a.ID, func() map[string]any {
		c := viaSM(secret)
		c["aws:MultiFactorAuthPresent"] = "false"
		return c
	}(), true, explicit)
	for _, action := range []string{
		"secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage", "secretsmanager:DeleteSecret",
		"secretsmanager:PutResourcePolicy", "secretsmanager:UpdateSecret", "secretsmanager:RotateSecret",
		"secretsmanager:CancelRotateSecret", "secretsmanager:ReplicateSecretToRegions",
	} {
		add("(a write) on this environment's secret", action, secret, a.ID, session(), false, explicit)
	}
	for _, action := range []string{
		"kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:DisableKeyRotation",
		"kms:CreateGrant", "kms:Encrypt", "kms:GenerateDataKey",
	} {
		add("(a key change or use) on the secrets key", action, keyArn, a.ID, viaSM(secret), true, explicit)
	}
	return out
}
