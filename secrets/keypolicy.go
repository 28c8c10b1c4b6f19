package secrets

import (
	"github.com/acme/secrets-platform/iam"
)

// KeyAdminActions is what key administrators may do: manage the key, never
// use it, so an administrator cannot read a secret. The list is explicit
// (SECURITY-RULES 4: no kms:* and no wildcards).
func KeyAdminActions() iam.Strings {
	return iam.Strings{
		"kms:CancelKeyDeletion", "kms:CreateAlias", "kms:DeleteAlias", "kms:DescribeKey",
		"kms:DisableKey", "kms:DisableKeyRotation", "kms:EnableKey", "kms:EnableKeyRotation",
		"kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListAliases", "kms:ListGrants",
		"kms:ListKeyPolicies", "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:RevokeGrant",
		"kms:RotateKeyOnDemand", "kms:ScheduleKeyDeletion", "kms:TagResource",
		"kms:UntagResource", "kms:UpdateAlias", "kms:UpdateKeyDescription",
	}
}

// KeyUseActions are delegated to this account's IAM policies: the key policy
// lets IAM decide who may use the key (readers get kms:Decrypt via Secrets
// Manager only, rotators Decrypt and GenerateDataKey for their own secrets).
func KeyUseActions() iam.Strings {
	return iam.Strings{
		"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey",
		"kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo",
	}
}

// KeyReadActions are the key's metadata reads that a refresh makes (the
// Terraform AWS provider reads a key's policy, rotation status and tags),
// delegated to IAM so the read-only preview role's drift check can read them;
// none of them uses or changes the key.
func KeyReadActions() iam.Strings {
	return iam.Strings{"kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"}
}

// KeyGrantActions let AWS services that encrypt on the caller's behalf (RDS,
// Lambda, Secrets Manager) create grants, and nothing else may.
func KeyGrantActions() iam.Strings {
	return iam.Strings{"kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"}
}

// KeyPolicyArgs is what a key policy is assembled from.
type KeyPolicyArgs struct {
	// Account owns the key; its root principal delegates use to IAM.
	Account iam.Account
	// AdminRoleARNs administer the key.
	AdminRoleARNs []string
	// Statements are contributed by other components: cross-account readers and
	// the AWS services that must use the key, each conditioned on its source.
	Statements []iam.Statement
}

// KeyPolicy assembles a key policy: this account's IAM decides use, the named
// administrators manage, contributed statements come last.
func KeyPolicy(a KeyPolicyArgs) iam.Document {
	root := a.Account.Root()
	doc := iam.New(
		iam.Statement{
			Sid:       "AccountIAMPoliciesDecideKeyUse",
			Effect:    iam.Allow,
			Principal: &iam.Principal{AWS: iam.Strings{root}},
			Action:    KeyUseActions(),
			Resource:  iam.Strings{"*"},
		},
		iam.Statement{
			Sid:       "AccountIAMPoliciesDecideKeyReads",
			Effect:    iam.Allow,
			Principal: &iam.Principal{AWS: iam.Strings{root}},
			Action:    KeyReadActions(),
			Resource:  iam.Strings{"*"},
		},
		iam.Statement{
			Sid:       "GrantsOnlyForAWSServices",
			Effect:    iam.Allow,
			Principal: &iam.Principal{AWS: iam.Strings{root}},
			Action:    KeyGrantActions(),
			Resource:  iam.Strings{"*"},
			Condition: iam.Conditions{"Bool": {"kms:GrantIsForAWSResource": {"true"}}},
		},
		iam.Statement{
			Sid:       "KeyAdministrators",
			Effect:    iam.Allow,
			Principal: &iam.Principal{AWS: iam.Strings(a.AdminRoleARNs)},
			Action:    KeyAdminActions(),
			Resource:  iam.Strings{"*"},
		},
	)
	return doc.WithStatements(a.Statements...)
}
