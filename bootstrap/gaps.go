package main

import "github.com/acme/secrets-platform/internal/deploymatrix"

// gap is a call of the deployability matrix that a role is refused on
// purpose, or cannot be granted from here, with the reason. The identity
// proofs expect exactly these calls denied; a gap that turns out allowed
// fails them, so the list cannot go stale.
type gap struct {
	// role is deployRoleName or previewRoleName.
	role string
	// typ and action name the call; phase, when set, only its calls in
	// that phase.
	typ, action string
	phase       deploymatrix.Phase
	// why says what happens instead.
	why string
}

// gaps are the calls of the program the deploy and preview roles do not get.
func gaps() []gap {
	const breakGlass = "break-glass, by an administrator (docs/bootstrap.md)"
	return []gap{
		{deployRoleName, "aws:iam/role:Role", "iam:UpdateAssumeRolePolicy", 0,
			"a trust policy's content has no IAM condition key, so no trust is changed in CI; a change of LambdaTrust or ECSTaskTrust is " + breakGlass},
		{deployRoleName, "aws:kms/key:Key", "kms:ScheduleKeyDeletion", 0, "key deletion is " + breakGlass},
		{deployRoleName, "aws:kms/key:Key", "kms:DisableKey", 0, "disabling a key stops every read; it is " + breakGlass},
		{deployRoleName, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "ec2:CreateTags", deploymatrix.Create,
			"the default group AWS creates with a VPC carries no tag and no name the policy can know, so tagging it would let the role adopt any untagged group; a stack that creates its VPC needs " + breakGlass + " for that one call on its first deploy"},
		{deployRoleName, "aws:ec2/securityGroup:SecurityGroup", "ec2:DeleteNetworkInterface", 0,
			"network interfaces Lambda leaves in a group carry no stack tag; deleting a rotator's group waits for Lambda to release them, or is " + breakGlass},
		{previewRoleName, "aws:secretsmanager/secretVersion:SecretVersion", "secretsmanager:GetSecretValue", 0,
			"a pull request never reads a secret value: the drift check's refresh excludes the secret versions (drift.yml)"},
		{previewRoleName, "aws:secretsmanager/secretVersion:SecretVersion", "kms:Decrypt", 0,
			"the key use behind reading a secret value"},
		{previewRoleName, "pulumi:providers:aws", "sts:AssumeRole", 0,
			"the consumer provider assumes a role that writes in the consumer's account; a pull request must not hold it"},
	}
}

// gapFor returns the gap of a role's call, if it is one.
func gapFor(role, typ, action string, phases deploymatrix.Phase) (gap, bool) {
	for _, g := range gaps() {
		if g.role == role && g.typ == typ && g.action == action && (g.phase == 0 || g.phase == phases) {
			return g, true
		}
	}
	return gap{}, false
}
