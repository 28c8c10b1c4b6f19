package crossaccount_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/crossaccount"
	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
)

const (
	cmk        = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	privateArn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/app/openai-GhIjKl"
)

var testStack = mockrun.Stack{Project: "secrets-platform", Name: "test", Config: map[string]string{
	"aws:region": "eu-west-1", "aws:allowedAccountIds": `["111122223333"]`,
}}

func messaging() config.ExternalPrincipal {
	return config.ExternalPrincipal{Name: "messaging", AccountID: consumer, RoleName: "messaging-sender",
		OrgID: "o-a1b2c3d4e5", Secrets: []string{"/prod/integrations/twilio"},
		DeployRoleARN: "arn:aws:iam::444455556666:role/secrets-platform-consumer-deploy"}
}

func sharingArgs(principals ...config.ExternalPrincipal) *crossaccount.SharingArgs {
	return &crossaccount.SharingArgs{
		Principals: principals,
		Secrets: map[string]crossaccount.SharedSecret{
			"/prod/integrations/twilio": {Arn: pulumi.String(sharedArn), KmsKeyID: pulumi.String(cmk)},
			"/prod/app/openai":          {Arn: pulumi.String(privateArn), KmsKeyID: pulumi.String(cmk)},
		},
		KeyArn:      pulumi.String(cmk),
		Account:     iam.Account{ID: account, Partition: "aws", Region: "eu-west-1", DNSSuffix: "amazonaws.com"},
		SessionName: "secrets-platform-prod",
	}
}

func runSharing(t *testing.T, args *crossaccount.SharingArgs) (*mockrun.Recording, error) {
	t.Helper()
	return mockrun.Run(testStack, func(ctx *pulumi.Context) (map[string]pulumi.Input, error) {
		s, err := crossaccount.NewSharing(ctx, "sharing", args)
		if err != nil {
			return nil, err
		}
		return map[string]pulumi.Input{"shared": s.SharedSecretArns, "principals": s.PrincipalArns, "elsewhere": s.ConsumerSideElsewhere}, nil
	})
}

func TestSharingWritesAllThreeGrants(t *testing.T) {
	rec, err := runSharing(t, sharingArgs(messaging()))
	require.NoError(t, err)
	comp, ok := rec.Named("sharing")
	require.True(t, ok)

	pols := rec.OfType(mockrun.TypeSecretPolicy)
	require.Len(t, pols, 1, "one resource policy per shared secret, got/want")
	sp := pols[0]
	assert.Equal(t, comp.URN, sp.Parent)
	assert.Equal(t, sharedArn, sp.Str("secretArn"))
	block, set := sp.Bool("blockPublicPolicy")
	assert.True(t, set && block, "blockPublicPolicy, got %v (set %v), want true", block, set)
	doc, err := iam.Parse(sp.Str("policy"))
	require.NoError(t, err)
	require.Len(t, doc.Statement, 1)
	assert.Equal(t, iam.Strings{consumerArn}, doc.Statement[0].Principal.AWS)

	providers := rec.OfType(mockrun.TypeAWSProvider)
	require.Len(t, providers, 1, "one provider per consumer account, got/want")
	// The consumer side is one inline policy on the reading role, in its
	// account: nothing the consumer's deploy role would need CreatePolicy
	// or AttachRolePolicy for.
	consumerPolicy, ok := rec.Named("sharing-messaging-consumer")
	require.True(t, ok)
	assert.Equal(t, mockrun.TypeRolePolicy, consumerPolicy.Type, "consumer side type, got/want")
	assert.Equal(t, consumer, rec.AccountOf(consumerPolicy), "consumer policy account, got/want")
	assert.Equal(t, "messaging-sender", consumerPolicy.Str("role"))
	assert.Equal(t, "secrets-platform-prod-"+account, consumerPolicy.Str("name"), "inline policy name, got/want")
	assert.Empty(t, rec.OfType(mockrun.TypePolicy), "no managed policy in the consumer account")
	assert.Empty(t, rec.OfType(mockrun.TypeRolePolicyAttachment), "no attachment in the consumer account")

	ids, err := rec.IdentityPolicies()
	require.NoError(t, err)
	require.Len(t, ids, 1)
	assert.Equal(t, "messaging-sender", ids[0].Role)
	st := ids[0].Document.Statement
	assert.Equal(t, iam.Strings{sharedArn}, st[0].Resource, "consumer reads, got/want only the shared secret")
	assert.Equal(t, iam.Strings{consumer}, st[2].Condition["StringEquals"]["kms:CallerAccount"], "consumer decrypt caller, got/want")
	assert.Equal(t, iam.Strings{cmk}, st[2].Resource)

	assert.Equal(t, map[string]string{"messaging": consumerArn}, rec.Outputs["principals"].Value)
	assert.Equal(t, []string{}, rec.Outputs["elsewhere"].Value, "every consumer side is deployed here, got/want none elsewhere")
}

func TestSharingOneSecretWithTwoPrincipalsWritesOnePolicy(t *testing.T) {
	other := config.ExternalPrincipal{Name: "audit", AccountID: "777788889999", RoleName: "auditor",
		Secrets: []string{"/prod/integrations/twilio", "/prod/app/openai"}}
	rec, err := runSharing(t, sharingArgs(messaging(), other))
	require.NoError(t, err)
	pols, err := rec.SecretPolicies()
	require.NoError(t, err)
	bySecret := map[string]int{}
	for _, p := range pols {
		bySecret[p.SecretArn] = len(p.Document.Statement)
	}
	assert.Equal(t, map[string]int{sharedArn: 2, privateArn: 1}, bySecret, "statements per secret policy, got/want")
	assert.Len(t, rec.OfType(mockrun.TypeAWSProvider), 1, "audit names no deploy role, so only messaging's account is deployed into")
	assert.Equal(t, []string{"arn:aws:iam::777788889999:role/auditor"}, rec.Outputs["elsewhere"].Value, "principals whose consumer side is deployed elsewhere, got/want")
}

func TestSharingRefuses(t *testing.T) {
	tests := []struct {
		name string
		edit func(*crossaccount.SharingArgs)
		want string
	}{
		{"a secret on the AWS managed key", func(a *crossaccount.SharingArgs) {
			a.Secrets["/prod/integrations/twilio"] = crossaccount.SharedSecret{Arn: pulumi.String(sharedArn), KmsKeyID: pulumi.String("alias/aws/secretsmanager")}
		}, "not the stack's customer-managed key"},
		{"a secret with no key", func(a *crossaccount.SharingArgs) {
			a.Secrets["/prod/integrations/twilio"] = crossaccount.SharedSecret{Arn: pulumi.String(sharedArn)}
		}, "has no customer-managed key"},
		{"PutResourcePolicy", func(a *crossaccount.SharingArgs) {
			a.Actions = []string{"secretsmanager:GetSecretValue", "secretsmanager:PutResourcePolicy"}
		}, "must never manage a secret's resource policy"},
		{"DeleteResourcePolicy", func(a *crossaccount.SharingArgs) {
			a.Actions = []string{"secretsmanager:DeleteResourcePolicy"}
		}, "must never manage a secret's resource policy"},
		{"this account as external", func(a *crossaccount.SharingArgs) { a.Principals[0].AccountID = account }, "declare a workload instead"},
		{"a deploy role in a third account", func(a *crossaccount.SharingArgs) {
			a.Principals[0].DeployRoleARN = "arn:aws:iam::777788889999:role/deploy"
		}, "is not in account 444455556666"},
		{"a secret not in the catalog", func(a *crossaccount.SharingArgs) { a.Principals[0].Secrets = []string{"/prod/app/nope"} }, "not in the catalog"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := sharingArgs(messaging())
			tt.edit(a)
			rec, err := runSharing(t, a)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want, "error, got/want substring")
			assert.Empty(t, rec.OfType(mockrun.TypeSecretPolicy), "a refused share registered a resource policy")
		})
	}
}

func TestConsumerDeployRoleIsTheThreeInlinePolicyActionsOnOneRole(t *testing.T) {
	p := crossaccount.ConsumerDeployPolicy(consumerArn)
	require.Len(t, p.Statement, 1)
	assert.Equal(t, iam.Strings{consumerArn}, p.Statement[0].Resource, "only the reading role, got/want")
	assert.ElementsMatch(t, []string{"iam:DeleteRolePolicy", "iam:GetRolePolicy", "iam:PutRolePolicy"}, p.Statement[0].Action)

	deploy := "arn:aws:iam::111122223333:role/secrets-platform-deploy"
	trust := crossaccount.ConsumerDeployTrust(deploy, "secrets-platform-prod", "o-a1b2c3d4e5")
	require.Len(t, trust.Statement, 1)
	assert.Equal(t, iam.Strings{deploy}, trust.Statement[0].Principal.AWS)
	assert.Equal(t, iam.Conditions{"StringEquals": {
		"sts:RoleSessionName": {"secrets-platform-prod"}, "aws:PrincipalOrgID": {"o-a1b2c3d4e5"},
	}}, trust.Statement[0].Condition)
	assert.NotContains(t, crossaccount.ConsumerDeployTrust(deploy, "s", "").Statement[0].Condition["StringEquals"], "aws:PrincipalOrgID",
		"no organization condition without an orgId")
}
