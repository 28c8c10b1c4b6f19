package rules_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	awsiam "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/crossaccount"
	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/internal/rules"
	"github.com/acme/secrets-platform/secrets"
)

const (
	accessAccount = "111122223333"
)

var accessAcct = iam.Account{ID: accessAccount, Partition: "aws", Region: "eu-west-1", DNSSuffix: "amazonaws.com"}

var accessStack = mockrun.Stack{Project: "secrets-platform", Name: "rules", Config: map[string]string{
	"aws:region": "eu-west-1", "aws:allowedAccountIds": `["111122223333"]`,
}}

// accessCompose is a small stack built only from the access layer's
// components (a key, two secrets, a workload, a share) and a rotation-like
// role that is not a reader, so the rules are tested apart from the rest.
func accessCompose(ctx *pulumi.Context) (map[string]pulumi.Input, error) {
	cfg := config.Config{Region: "eu-west-1", CrossAccount: []config.ExternalPrincipal{{
		Name: "messaging", AccountID: "444455556666", RoleName: "messaging-sender", OrgID: "o-a1b2c3d4e5",
		Secrets: []string{"/rules/app/shared"}, DeployRoleARN: "arn:aws:iam::444455556666:role/deploy",
	}}}
	key, err := secrets.NewKey(ctx, "secrets-key", &secrets.KeyArgs{
		Alias: "rules/secrets", Description: "rules", DeletionWindowDays: 30,
		Policy: secrets.KeyPolicy(secrets.KeyPolicyArgs{Account: accessAcct,
			AdminRoleARNs: []string{"arn:aws:iam::111122223333:role/deploy"},
			Statements:    crossaccount.KeyStatements(cfg, accessAcct)}),
	})
	if err != nil {
		return nil, err
	}
	shared := map[string]crossaccount.SharedSecret{}
	var arns pulumi.StringArray
	for _, n := range []string{"/rules/app/shared", "/rules/app/private"} {
		s, err := secretsmanager.NewSecret(ctx, "secret"+strings.ReplaceAll(n, "/", "-"), &secretsmanager.SecretArgs{
			Name: pulumi.String(n), KmsKeyId: key.Arn,
		})
		if err != nil {
			return nil, err
		}
		shared[n] = crossaccount.SharedSecret{Arn: s.Arn, KmsKeyID: s.KmsKeyId.Elem()}
		arns = append(arns, s.Arn)
	}
	if _, err := iam.NewWorkload(ctx, "access-api", &iam.WorkloadArgs{
		Kind: iam.WorkloadECS, Environment: "rules", RoleName: "rules-api", SecretArns: arns, InjectAtStartArns: arns[:1], KeyArn: key.Arn,
		Account: accessAcct, PermissionsBoundaryArn: iam.BoundaryARN(accessAcct, "rules"),
	}); err != nil {
		return nil, err
	}
	if _, err := crossaccount.NewSharing(ctx, "sharing", &crossaccount.SharingArgs{
		Principals: cfg.CrossAccount, Secrets: shared, KeyArn: key.Arn,
		Account: accessAcct,
	}); err != nil {
		return nil, err
	}
	rotator := pulumi.All(arns[1], key.Arn).ApplyT(func(xs []any) (string, error) {
		return iam.New(
			iam.Statement{Sid: "OwnSecret", Effect: iam.Allow, Action: iam.Strings{"secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"}, Resource: iam.Strings{xs[0].(string)}},
			iam.Statement{Sid: "Password", Effect: iam.Allow, Action: iam.Strings{"secretsmanager:GetRandomPassword"}, Resource: iam.Strings{"*"}},
			iam.Statement{Sid: "Key", Effect: iam.Allow, Action: iam.Strings{"kms:Decrypt", "kms:GenerateDataKey"}, Resource: iam.Strings{xs[1].(string)}},
		).JSON()
	}).(pulumi.StringOutput)
	if _, err := awsiam.NewRole(ctx, "rotator", &awsiam.RoleArgs{
		Name:                pulumi.String("rules-rotator"),
		PermissionsBoundary: pulumi.String(iam.BoundaryARN(accessAcct, "rules")),
		AssumeRolePolicy:    pulumi.String(`{"Version":"2012-10-17","Statement":[]}`),
		InlinePolicies:      awsiam.RoleInlinePolicyArray{awsiam.RoleInlinePolicyArgs{Name: pulumi.String("rotate"), Policy: rotator}},
	}); err != nil {
		return nil, err
	}
	return map[string]pulumi.Input{}, nil
}

func accessRecording(t *testing.T) *mockrun.Recording {
	t.Helper()
	rec, err := mockrun.Run(accessStack, accessCompose)
	require.NoError(t, err)
	require.Empty(t, accessViolations(rec), "the access layer's own stack is clean before it is broken on purpose")
	return rec
}

// accessViolations are the violations of rules 5-10.
func accessViolations(rec *mockrun.Recording) []rules.Violation {
	return slices.DeleteFunc(rules.Check(rec), func(v rules.Violation) bool { return v.Rule < 5 || v.Rule > 10 && v.Rule != 18 })
}

// accessEdit returns a copy of rec in which the resource named name is changed.
func accessEdit(t *testing.T, rec *mockrun.Recording, name string, edit func(*mockrun.Resource)) *mockrun.Recording {
	t.Helper()
	out := *rec
	out.Resources = slices.Clone(rec.Resources)
	i := slices.IndexFunc(out.Resources, func(r mockrun.Resource) bool { return r.Name == name })
	require.GreaterOrEqual(t, i, 0, "no resource %s to break", name)
	r := out.Resources[i]
	r.Inputs = r.Inputs.Copy()
	edit(&r)
	out.Resources[i] = r
	return &out
}

// accessDrop returns a copy of rec without the resource named name.
func accessDrop(rec *mockrun.Recording, name string) *mockrun.Recording {
	out := *rec
	out.Resources = slices.DeleteFunc(slices.Clone(rec.Resources), func(r mockrun.Resource) bool { return r.Name == name })
	return &out
}

// editPolicy rewrites a policy-holding input (key "policy", or a role's
// first inline policy) through edit.
func editPolicy(t *testing.T, edit func(*iam.Document)) func(*mockrun.Resource) {
	return func(r *mockrun.Resource) {
		if r.Type == mockrun.TypeRole {
			v, _ := r.Input("inlinePolicies")
			first := v.ArrayValue()[0].ObjectValue()
			doc, err := iam.Parse(first["policy"].StringValue())
			require.NoError(t, err)
			edit(&doc)
			js, err := doc.JSON()
			require.NoError(t, err)
			r.Inputs["inlinePolicies"] = resource.NewPropertyValue([]any{map[string]any{"name": "rotate", "policy": js}})
			return
		}
		doc, err := iam.Parse(r.Str("policy"))
		require.NoError(t, err)
		edit(&doc)
		js, err := doc.JSON()
		require.NoError(t, err)
		r.Inputs["policy"] = resource.NewStringProperty(js)
	}
}

// addStatement appends a statement to a policy.
func addStatement(t *testing.T, st iam.Statement) func(*mockrun.Resource) {
	return editPolicy(t, func(d *iam.Document) { *d = d.WithStatements(st) })
}

// statementBySid edits the statement with the given Sid.
func statementBySid(t *testing.T, sid string, edit func(*iam.Statement)) func(*mockrun.Resource) {
	return editPolicy(t, func(d *iam.Document) {
		i := slices.IndexFunc(d.Statement, func(s iam.Statement) bool { return s.Sid == sid })
		require.GreaterOrEqual(t, i, 0, "no statement %s", sid)
		edit(&d.Statement[i])
	})
}

func allow(actions []string, resources ...string) iam.Statement {
	return iam.Statement{Sid: "Added", Effect: iam.Allow, Action: actions, Resource: resources}
}

func TestAccessRulesCatchEachBreak(t *testing.T) {
	rec := accessRecording(t)
	sharedArn := ""
	for _, s := range rec.OfType(mockrun.TypeSecret) {
		if s.Str("name") == "/rules/app/shared" {
			sharedArn = s.StateStr("arn")
		}
	}
	require.NotEmpty(t, sharedArn)
	keySid := "DecryptSharedSecretsForMessaging"
	tests := []struct {
		name string
		rec  *mockrun.Recording
		rule int
		want string
	}{
		{"a role without the boundary", accessEdit(t, rec, "access-api-task", func(r *mockrun.Resource) {
			delete(r.Inputs, "permissionsBoundary")
		}), 18, "want the stack's boundary"},
		{"a role with another environment's boundary", accessEdit(t, rec, "access-api-task", func(r *mockrun.Resource) {
			r.Inputs["permissionsBoundary"] = resource.NewPropertyValue("arn:aws:iam::" + accessAccount + ":policy/secrets-platform-boundary/staging")
		}), 18, "environment staging's"},
		{"a boundary in another account", accessEdit(t, rec, "access-api-task", func(r *mockrun.Resource) {
			r.Inputs["permissionsBoundary"] = resource.NewPropertyValue("arn:aws:iam::444455556666:policy/secrets-platform-boundary/rules")
		}), 18, "in account 444455556666"},
		{"reader decrypts without kms:ViaService", accessEdit(t, rec, "access-api-task-read", statementBySid(t, "DecryptThroughSecretsManagerOnly", func(s *iam.Statement) {
			delete(s.Condition["StringEquals"], "kms:ViaService")
		})), 5, "kms:ViaService"},
		{"reader gets GenerateDataKey", accessEdit(t, rec, "access-api-execution-read", statementBySid(t, "DecryptThroughSecretsManagerOnly", func(s *iam.Statement) {
			s.Action = append(s.Action, "kms:GenerateDataKey")
		})), 5, "kms:Decrypt only"},
		{"reader decrypts for another account's callers", accessEdit(t, rec, "access-api-task-read", statementBySid(t, "DecryptThroughSecretsManagerOnly", func(s *iam.Statement) {
			s.Condition["StringEquals"]["kms:CallerAccount"] = iam.Strings{"444455556666"}
		})), 5, "kms:CallerAccount"},
		{"reader via Secrets Manager of another region", accessEdit(t, rec, "access-api-task-read", statementBySid(t, "DecryptThroughSecretsManagerOnly", func(s *iam.Statement) {
			s.Condition["StringEquals"]["kms:ViaService"] = iam.Strings{"secretsmanager.us-east-1.amazonaws.com"}
		})), 5, "want [secretsmanager.eu-west-1.amazonaws.com]"},
		{"external key grant via another region", accessEdit(t, rec, "secrets-key-key", statementBySid(t, keySid, func(s *iam.Statement) {
			s.Condition["StringEquals"]["kms:ViaService"] = iam.Strings{"secretsmanager.eu-west-1.amazonaws.com", "secretsmanager.us-east-1.amazonaws.com"}
		})), 5, "kms:ViaService"},
		{"consumer-side reader via another service", accessEdit(t, rec, "sharing-messaging-consumer", statementBySid(t, "DecryptThroughSecretsManagerOnly", func(s *iam.Statement) {
			s.Condition["StringEquals"]["kms:ViaService"] = iam.Strings{"s3.eu-west-1.amazonaws.com"}
		})), 5, "kms:ViaService"},
		{"external key grant with Encrypt", accessEdit(t, rec, "secrets-key-key", statementBySid(t, keySid, func(s *iam.Statement) {
			s.Action = append(s.Action, "kms:Encrypt")
		})), 5, "kms:Decrypt only"},
		{"external key grant without kms:CallerAccount", accessEdit(t, rec, "secrets-key-key", statementBySid(t, keySid, func(s *iam.Statement) {
			delete(s.Condition["StringEquals"], "kms:CallerAccount")
		})), 5, "kms:CallerAccount"},
		{"rotation role with the * action", accessEdit(t, rec, "rotator", addStatement(t, allow([]string{"*"}, "arn:aws:s3:::bucket"))), 6, "the * action"},
		{"rotation role with a restrictable action on *", accessEdit(t, rec, "rotator", addStatement(t, allow([]string{"kms:Decrypt"}, "*"))), 6, "kms:Decrypt on *"},
		{"reader with * and *", accessEdit(t, rec, "access-api-task-read", addStatement(t, allow([]string{"*"}, "*"))), 6, "the * action"},
		{"rotation role reads a wildcard ARN", accessEdit(t, rec, "rotator", statementBySid(t, "OwnSecret", func(s *iam.Statement) {
			s.Resource = iam.Strings{"arn:aws:secretsmanager:eu-west-1:111122223333:secret:/rules/*"}
		})), 7, "not an explicit secret ARN"},
		{"reader reads with secretsmanager:Get*", accessEdit(t, rec, "access-api-task-read", addStatement(t, allow([]string{"secretsmanager:Get*"}, "arn:aws:secretsmanager:eu-west-1:111122223333:secret:/rules/app/x-??????"))), 7, "not an explicit secret ARN"},
		{"ListSecrets on *", accessEdit(t, rec, "rotator", addStatement(t, allow([]string{"secretsmanager:ListSecrets"}, "*"))), 7, "only GetRandomPassword"},
		{"unguarded iam:PassRole", accessEdit(t, rec, "rotator", addStatement(t, allow([]string{"iam:PassRole"}, "*"))), 8, "iam:PassRole"},
		{"policy version escalation", accessEdit(t, rec, "rotator", addStatement(t, allow([]string{"iam:CreatePolicyVersion"}, "arn:aws:iam::111122223333:policy/x"))), 8, "iam:CreatePolicyVersion"},
		{"consumer may change resource policies", accessEdit(t, rec, "sharing-messaging-consumer", addStatement(t, allow([]string{"secretsmanager:PutResourcePolicy"}, sharedArn))), 8, "secretsmanager:PutResourcePolicy"},
		{"an unknown managed policy", accessEdit(t, rec, "access-api-execution-managed", func(r *mockrun.Resource) {
			r.Inputs["policyArn"] = resource.NewStringProperty("arn:aws:iam::aws:policy/AdministratorAccess")
		}), 8, "AdministratorAccess"},
		{"key policy hands out PutKeyPolicy outside the administrators", accessEdit(t, rec, "secrets-key-key", statementBySid(t, "AccountIAMPoliciesDecideKeyUse", func(s *iam.Statement) {
			s.Action = append(s.Action, "kms:PutKeyPolicy")
		})), 8, "kms:PutKeyPolicy"},
		{"resource policy without blockPublicPolicy", accessEdit(t, rec, "sharing-rules-app-shared", func(r *mockrun.Resource) {
			r.Inputs["blockPublicPolicy"] = resource.NewBoolProperty(false)
		}), 9, "blockPublicPolicy"},
		{"resource policy with a * principal", accessEdit(t, rec, "sharing-rules-app-shared", statementBySid(t, "ReadByMessaging", func(s *iam.Statement) {
			s.Principal = &iam.Principal{Any: true}
		})), 9, "* or missing principal"},
		{"resource policy grants DeleteResourcePolicy", accessEdit(t, rec, "sharing-rules-app-shared", statementBySid(t, "ReadByMessaging", func(s *iam.Statement) {
			s.Action = append(s.Action, "secretsmanager:DeleteResourcePolicy")
		})), 9, "DeleteResourcePolicy"},
		{"resource policy grants secretsmanager:*", accessEdit(t, rec, "sharing-rules-app-shared", statementBySid(t, "ReadByMessaging", func(s *iam.Statement) {
			s.Action = iam.Strings{"secretsmanager:*"}
		})), 9, "PutResourcePolicy"},
		{"share without the key grant", accessEdit(t, rec, "secrets-key-key", editPolicy(t, func(d *iam.Document) {
			d.Statement = slices.DeleteFunc(d.Statement, func(s iam.Statement) bool { return s.Sid == keySid })
		})), 10, "key policy"},
		{"share whose key grant drops the org condition", accessEdit(t, rec, "secrets-key-key", statementBySid(t, keySid, func(s *iam.Statement) {
			delete(s.Condition["StringEquals"], "aws:PrincipalOrgID")
		})), 10, "key policy"},
		{"share without the consumer-side policy", accessDrop(rec, "sharing-messaging-consumer"), 10, "no identity policy deployed into account 444455556666"},
		{"share with a whole account", accessEdit(t, rec, "sharing-rules-app-shared", statementBySid(t, "ReadByMessaging", func(s *iam.Statement) {
			s.Principal.AWS = iam.Strings{"arn:aws:iam::444455556666:root"}
		})), 10, "named roles"},
		{"share with a write action", accessEdit(t, rec, "sharing-rules-app-shared", statementBySid(t, "ReadByMessaging", func(s *iam.Statement) {
			s.Action = append(s.Action, "secretsmanager:PutSecretValue")
		})), 10, "read actions only"},
		{"key grant with no resource-policy grant", accessEdit(t, rec, "secrets-key-key", addStatement(t, iam.Statement{
			Sid: "Stray", Effect: iam.Allow, Principal: &iam.Principal{AWS: iam.Strings{"arn:aws:iam::777788889999:role/x"}},
			Action: iam.Strings{"kms:Decrypt"}, Resource: iam.Strings{"*"},
			Condition: iam.Conditions{"StringEquals": {"kms:ViaService": {"secretsmanager.eu-west-1.amazonaws.com"}, "kms:CallerAccount": {"777788889999"}}},
		})), 10, "no secret resource policy names it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := accessViolations(tt.rec)
			i := slices.IndexFunc(got, func(v rules.Violation) bool { return v.Rule == tt.rule && strings.Contains(v.Message, tt.want) })
			assert.GreaterOrEqual(t, i, 0, "violations, got %v, want rule %d with %q", got, tt.rule, tt.want)
		})
	}
}

// TestKeyAdministratorsExceptionAppliesExactlyThere proves the named
// exception to rule 8: the administrators' statement may hold
// kms:PutKeyPolicy, the same action under any other Sid may not.
func TestKeyAdministratorsExceptionAppliesExactlyThere(t *testing.T) {
	i := slices.IndexFunc(rules.Exceptions(), func(e rules.Exception) bool {
		return e.Rule == 8 && e.Name == rules.KeyAdministratorsSid
	})
	require.GreaterOrEqual(t, i, 0, "exceptions, got %v, want rule 8 %s", rules.Exceptions(), rules.KeyAdministratorsSid)
	rec := accessRecording(t)
	key, ok := rec.Named("secrets-key-key")
	require.True(t, ok)
	assert.Contains(t, key.Str("policy"), `"kms:PutKeyPolicy"`, "the administrators' statement holds PutKeyPolicy and the stack is still clean")
	renamed := accessEdit(t, rec, "secrets-key-key", statementBySid(t, rules.KeyAdministratorsSid, func(s *iam.Statement) { s.Sid = "Admins" }))
	got := accessViolations(renamed)
	assert.True(t, slices.ContainsFunc(got, func(v rules.Violation) bool {
		return v.Rule == 8 && strings.Contains(v.Message, "kms:PutKeyPolicy")
	}),
		"violations, got %v, want rule 8 for PutKeyPolicy once the statement is not the administrators'", got)
}

func TestPoliciesAreExtractedFromEveryPlace(t *testing.T) {
	rec := accessRecording(t)
	ids, err := rec.IdentityPolicies()
	require.NoError(t, err)
	byRole := map[string]int{}
	for _, p := range ids {
		byRole[fmt.Sprintf("%s/%s", p.Account, p.Role)]++
	}
	rotator, ok := rec.Named("rotator")
	require.True(t, ok)
	assert.Equal(t, map[string]int{
		"111122223333/rules-api-task":              1,
		"111122223333/rules-api-execution":         1,
		"444455556666/messaging-sender":            1,
		"111122223333/" + rotator.StateStr("name"): 1,
	}, byRole, "identity policies by account/role, got/want")
	pols, err := rec.SecretPolicies()
	require.NoError(t, err)
	assert.Len(t, pols, 1, "secret resource policies, got/want")
	keys, err := rec.KeyPolicies()
	require.NoError(t, err)
	assert.Len(t, keys, 1, "key policies, got/want")
	assert.Equal(t, accessAccount, rec.Account())
	managed := rec.ManagedAttachments()
	require.Len(t, managed, 1)
	assert.Equal(t, "rules-api-execution", managed[0].Role)
}

// TestRule7ExplicitSecretARNs: a whole ARN passes whatever characters the
// name holds (AWS-owned secrets are named rds!db-...); a pattern does not.
func TestRule7ExplicitSecretARNs(t *testing.T) {
	rec := accessRecording(t)
	tests := []struct {
		arn      string
		wantRule bool
	}{
		{"arn:aws:secretsmanager:eu-west-1:111122223333:secret:rds!db-b52ba6e7-701e-41c3-a6e3-ceafcf25938c-NhNLEZ", false},
		{"arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/app/stripe_key+v2=x.y@z-AbCdEf", false},
		{"arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/app/stripe-??????", true},
		{"arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/app/stripe", true},
		{"arn:aws:secretsmanager:eu-west-1:111122223333:secret:*", true},
	}
	for _, tt := range tests {
		t.Run(tt.arn, func(t *testing.T) {
			edited := accessEdit(t, rec, "rotator", statementBySid(t, "OwnSecret", func(s *iam.Statement) { s.Resource = iam.Strings{tt.arn} }))
			got := slices.ContainsFunc(accessViolations(edited), func(v rules.Violation) bool { return v.Rule == 7 })
			assert.Equal(t, tt.wantRule, got, "rule 7 violation for %s, got/want", tt.arn)
		})
	}
}

// TestConsumerSideElsewhereExceptionAppliesExactlyThere proves the named
// exception to rule 10: a principal the stack lists as deployed elsewhere
// needs no consumer-side policy in the recording; any other principal does,
// and the resource and key grants are checked either way.
func TestConsumerSideElsewhereExceptionAppliesExactlyThere(t *testing.T) {
	require.True(t, slices.ContainsFunc(rules.Exceptions(), func(e rules.Exception) bool {
		return e.Rule == 10 && e.Name == rules.OutputConsumerSideElsewhere
	}), "exceptions, got %v, want rule 10 %s", rules.Exceptions(), rules.OutputConsumerSideElsewhere)
	rec := accessRecording(t)
	withOutput := func(rec *mockrun.Recording, arns ...string) *mockrun.Recording {
		out := *rec
		out.Outputs = maps.Clone(rec.Outputs)
		out.Outputs[rules.OutputConsumerSideElsewhere] = mockrun.Output{Value: arns, Known: true}
		return &out
	}
	noConsumer := accessDrop(rec, "sharing-messaging-consumer")
	noKeyGrant := accessEdit(t, noConsumer, "secrets-key-key", editPolicy(t, func(d *iam.Document) {
		d.Statement = slices.DeleteFunc(d.Statement, func(s iam.Statement) bool { return s.Sid == "DecryptSharedSecretsForMessaging" })
	}))
	tests := []struct {
		name string
		rec  *mockrun.Recording
		want string // "" for no rule 10 violation
	}{
		{"listed as elsewhere", withOutput(noConsumer, "arn:aws:iam::444455556666:role/messaging-sender"), ""},
		{"another principal listed", withOutput(noConsumer, "arn:aws:iam::777788889999:role/other"), "no identity policy deployed"},
		{"listed, but the key grant is missing", withOutput(noKeyGrant, "arn:aws:iam::444455556666:role/messaging-sender"), "key policy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := slices.DeleteFunc(accessViolations(tt.rec), func(v rules.Violation) bool { return v.Rule != 10 })
			if tt.want == "" {
				assert.Empty(t, got, "rule 10 violations, got %v, want none", got)
				return
			}
			assert.True(t, slices.ContainsFunc(got, func(v rules.Violation) bool { return strings.Contains(v.Message, tt.want) }),
				"rule 10 violations, got %v, want one with %q", got, tt.want)
		})
	}
}
