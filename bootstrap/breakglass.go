package main

import (
	"fmt"
	"strconv"

	"github.com/acme/secrets-platform/alerts"
	"github.com/acme/secrets-platform/iam"
	awsiam "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The break-glass read role: what a person assumes to read one of this
// environment's secrets when nothing else can (docs/runbooks/break-glass-read.md).
const (
	// breakGlassRoleName is the role's name: the alert rule on its use
	// matches AssumeRole of exactly this role.
	breakGlassRoleName = alerts.BreakGlassRoleName
	// breakGlassSessionSeconds is the role's MaxSessionDuration: one hour,
	// long enough to read a value, short enough that a leaked session dies.
	breakGlassSessionSeconds = 3600
	// breakGlassMFAMaxAgeSeconds bounds how long ago the person entered their
	// MFA code when they assume the role (aws:MultiFactorAuthAge).
	breakGlassMFAMaxAgeSeconds = 900
	// incidentTagKey is the session tag that names the incident or ticket;
	// CloudTrail records it with every call the session makes.
	incidentTagKey = "incident"
)

// BreakGlass is the emergency read role of one account.
type BreakGlass struct {
	pulumi.ResourceState

	// RoleArn is the role a person assumes (with MFA and an incident tag).
	RoleArn pulumi.StringOutput `pulumi:"roleArn"`
}

// newBreakGlass registers the role and its one inline policy. Only people of
// this account whose own policies allow sts:AssumeRole on it can use it; who
// they are is the account's identity management (the runbook names the group).
func newBreakGlass(ctx *pulumi.Context, name string, s settings, a iam.Account, tags map[string]string, opts ...pulumi.ResourceOption) (*BreakGlass, error) {
	b := &BreakGlass{}
	if err := ctx.RegisterComponentResource("secrets-platform:bootstrap:BreakGlass", name, b, opts...); err != nil {
		return nil, fmt.Errorf("register break-glass: %w", err)
	}
	trust, err := breakGlassTrust(a).JSON()
	if err != nil {
		return nil, fmt.Errorf("break-glass trust policy: %w", err)
	}
	policy, err := breakGlassPolicy(a, s.AppEnvironment).JSON()
	if err != nil {
		return nil, fmt.Errorf("break-glass policy: %w", err)
	}
	role, err := awsiam.NewRole(ctx, name+"-role", &awsiam.RoleArgs{
		Name:               pulumi.String(breakGlassRoleName),
		Description:        pulumi.String("Emergency read of " + s.AppEnvironment + " secrets by a person, with MFA and an incident tag; every use alerts. docs/runbooks/break-glass-read.md"),
		AssumeRolePolicy:   pulumi.String(trust),
		MaxSessionDuration: pulumi.Int(breakGlassSessionSeconds),
		Tags:               pulumi.ToStringMap(tags),
	}, pulumi.Parent(b))
	if err != nil {
		return nil, fmt.Errorf("create break-glass role: %w", err)
	}
	if _, err := awsiam.NewRolePolicy(ctx, name+"-read", &awsiam.RolePolicyArgs{
		Role: role.Name, Name: pulumi.String("read-" + s.AppEnvironment + "-secrets-only"), Policy: pulumi.String(policy),
	}, pulumi.Parent(b)); err != nil {
		return nil, fmt.Errorf("break-glass role policy: %w", err)
	}
	b.RoleArn = role.Arn
	if err := ctx.RegisterResourceOutputs(b, pulumi.Map{"roleArn": role.Arn}); err != nil {
		return nil, fmt.Errorf("register break-glass outputs: %w", err)
	}
	return b, nil
}

// breakGlassTrust lets a principal of this account assume the role only with
// a fresh MFA, an incident tag (and no other tag), and through this region's
// STS endpoint, whose CloudTrail events reach the alert rule here (the global
// endpoint logs to us-east-1).
func breakGlassTrust(a iam.Account) iam.Document {
	return iam.New(iam.Statement{
		Sid:       "PeopleWithMFAAndAnIncident",
		Effect:    iam.Allow,
		Principal: &iam.Principal{AWS: iam.Strings{a.Root()}},
		// TagSession is authorised separately from AssumeRole when tags are passed.
		Action: iam.Strings{"sts:AssumeRole", "sts:TagSession"},
		Condition: iam.Conditions{
			"Bool":                      {"aws:MultiFactorAuthPresent": {"true"}},
			"NumericLessThanEquals":     {"aws:MultiFactorAuthAge": {strconv.Itoa(breakGlassMFAMaxAgeSeconds)}},
			"StringLike":                {"aws:RequestTag/" + incidentTagKey: {"?*"}},
			"ForAllValues:StringEquals": {"aws:TagKeys": {incidentTagKey}},
			"StringEquals":              {"aws:RequestedRegion": {a.Region}},
		},
	})
}

// breakGlassPolicy allows reading this environment's secrets and decrypting
// them through Secrets Manager, and nothing else; the denies hold even if
// another policy is ever attached to the role.
func breakGlassPolicy(a iam.Account, env string) iam.Document {
	secrets := a.ARN("secretsmanager", "secret:/"+env+"/*")
	return iam.New(
		iam.Statement{Sid: "ReadThisEnvironmentsSecrets", Effect: iam.Allow,
			Action:   iam.Strings{"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"},
			Resource: iam.Strings{secrets}},
		iam.Statement{Sid: "DecryptThemThroughSecretsManager", Effect: iam.Allow,
			Action:   iam.Strings{"kms:Decrypt"},
			Resource: iam.Strings{a.ARN("kms", "key/*")},
			Condition: iam.Conditions{
				"StringEquals": {
					"kms:ViaService":    {a.ServiceHost("secretsmanager")},
					"kms:CallerAccount": {a.ID},
				},
				"StringLike": {iam.EncryptionContextSecretARN: {secrets}},
			}},
		iam.Statement{Sid: "NeverWriteSecrets", Effect: iam.Deny, Resource: iam.Strings{"*"}, Action: iam.Strings{
			"secretsmanager:CancelRotateSecret", "secretsmanager:CreateSecret", "secretsmanager:DeleteResourcePolicy",
			"secretsmanager:DeleteSecret", "secretsmanager:PutResourcePolicy", "secretsmanager:PutSecretValue",
			"secretsmanager:RemoveRegionsFromReplication", "secretsmanager:ReplicateSecretToRegions",
			"secretsmanager:RestoreSecret", "secretsmanager:RotateSecret", "secretsmanager:StopReplicationToReplica",
			"secretsmanager:TagResource", "secretsmanager:UntagResource", "secretsmanager:UpdateSecret",
			"secretsmanager:UpdateSecretVersionStage",
		}},
		iam.Statement{Sid: "NeverChangeKeys", Effect: iam.Deny, Resource: iam.Strings{"*"}, Action: iam.Strings{
			"kms:CancelKeyDeletion", "kms:CreateAlias", "kms:CreateGrant", "kms:DeleteAlias", "kms:DeleteImportedKeyMaterial",
			"kms:DisableKey", "kms:DisableKeyRotation", "kms:EnableKey", "kms:EnableKeyRotation", "kms:Encrypt",
			"kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ImportKeyMaterial", "kms:PutKeyPolicy",
			"kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:ReplicateKey", "kms:RetireGrant", "kms:RevokeGrant",
			"kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:UpdateAlias", "kms:UpdateKeyDescription",
			"kms:UpdatePrimaryRegion",
		}},
		// The session carries the MFA and the tag it was created with; a
		// request without them did not come from a session the trust allowed.
		iam.Statement{Sid: "NothingWithoutMFA", Effect: iam.Deny, Resource: iam.Strings{"*"},
			Action:    iam.Strings{"kms:Decrypt", "secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"},
			Condition: iam.Conditions{"BoolIfExists": {"aws:MultiFactorAuthPresent": {"false"}}}},
		iam.Statement{Sid: "NothingWithoutAnIncident", Effect: iam.Deny, Resource: iam.Strings{"*"},
			Action:    iam.Strings{"kms:Decrypt", "secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"},
			Condition: iam.Conditions{"Null": {"aws:PrincipalTag/" + incidentTagKey: {"true"}}}},
	)
}
