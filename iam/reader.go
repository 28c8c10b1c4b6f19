package iam

import (
	"errors"
	"fmt"
	"slices"
)

// ReadActions returns the only Secrets Manager actions a reader is granted:
// reading a value and its metadata. Writing, rotating, deleting and managing
// the resource policy stay with the program and the rotators. It is a
// function, not a variable, so no importer can widen it for everyone.
func ReadActions() []string {
	return []string{"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"}
}

// EncryptionContextSecretARN is the encryption context key Secrets Manager
// sets on every data key it asks KMS for: the secret's ARN. Conditioning
// Decrypt on it ties a key grant to the secrets it is for.
const EncryptionContextSecretARN = "kms:EncryptionContext:SecretARN"

// ReaderArgs describes what one reader may read.
type ReaderArgs struct {
	// SecretARNs are the exact ARNs (with their six-character suffix) the
	// reader may read. Required: a reader of nothing is a configuration error.
	SecretARNs []string
	// KeyARN is the customer-managed key the secrets are encrypted with. Required.
	KeyARN string
	// OtherKeyARNs are the keys of secrets the stack does not own (external
	// secrets, perhaps of another account), granted the same Decrypt.
	// Optional.
	OtherKeyARNs []string
	// Account is the reader's account (kms:CallerAccount) and region
	// (Secrets Manager's host for kms:ViaService). Required.
	Account Account
	// VersionStage, when set, limits GetSecretValue to that staging label
	// (e.g. AWSCURRENT), so a reader cannot fetch AWSPENDING mid-rotation.
	VersionStage string
}

// ViaSecretsManager is the kms:ViaService value of Secrets Manager in the
// account's region.
func (a Account) ViaSecretsManager() string { return a.ServiceHost("secretsmanager") }

// ReaderPolicy is the identity policy of a reader: GetSecretValue and
// DescribeSecret on exact ARNs, and kms:Decrypt on the one key, only when
// Secrets Manager calls KMS on the reader's behalf for one of those secrets.
// It never grants GenerateDataKey or any other key action: reading a secret
// needs Decrypt alone (SECURITY-RULES 5).
func ReaderPolicy(a ReaderArgs) (Document, error) {
	if len(a.SecretARNs) == 0 || a.KeyARN == "" {
		return Document{}, errors.New("build reader policy: SecretARNs and KeyARN are required")
	}
	if err := a.Account.Validate(); err != nil {
		return Document{}, fmt.Errorf("build reader policy: %w", err)
	}
	arns := slices.Sorted(slices.Values(a.SecretARNs))
	read := Statement{
		Sid:      "ReadSecretValues",
		Effect:   Allow,
		Action:   Strings{"secretsmanager:GetSecretValue"},
		Resource: Strings(arns),
	}
	if a.VersionStage != "" {
		read.Condition = Conditions{"StringEquals": {"secretsmanager:VersionStage": {a.VersionStage}}}
	}
	return New(
		read,
		// DescribeSecret has no VersionStage context, so it cannot share the
		// conditioned statement: the condition would never match and deny it.
		Statement{
			Sid:      "DescribeSecrets",
			Effect:   Allow,
			Action:   Strings{"secretsmanager:DescribeSecret"},
			Resource: Strings(arns),
		},
		Statement{
			Sid:      "DecryptThroughSecretsManagerOnly",
			Effect:   Allow,
			Action:   Strings{"kms:Decrypt"},
			Resource: append(Strings{a.KeyARN}, slices.Compact(slices.Sorted(slices.Values(a.OtherKeyARNs)))...),
			Condition: Conditions{
				"StringEquals": {
					"kms:ViaService":    {a.Account.ViaSecretsManager()},
					"kms:CallerAccount": {a.Account.ID},
					// Secrets Manager names the secret in the encryption context,
					// so this Decrypt cannot open another secret's data key.
					EncryptionContextSecretARN: Strings(arns),
				},
			},
		},
	), nil
}
