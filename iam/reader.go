package iam

import (
	"errors"
	"fmt"
	"slices"
	"strings"
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
	// reader may read in the account's region: the primaries. Required unless
	// Replicas names what the reader reads: a reader of nothing is a
	// configuration error.
	SecretARNs []string
	// KeyARN is the customer-managed key the primaries are encrypted with.
	// Required with SecretARNs.
	KeyARN string
	// OtherKeyARNs are the keys of secrets the stack does not own (external
	// secrets, perhaps of another account), granted the same Decrypt.
	// Optional.
	OtherKeyARNs []string
	// Replicas are what the reader reads in replica regions: the replica
	// ARNs there and the key of that region that encrypts them. Optional.
	Replicas []ReplicaRead
	// Account is the reader's account (kms:CallerAccount) and the primaries'
	// region (Secrets Manager's host for kms:ViaService). Required.
	Account Account
	// VersionStage, when set, limits GetSecretValue to that staging label
	// (e.g. AWSCURRENT), so a reader cannot fetch AWSPENDING mid-rotation.
	VersionStage string
}

// ReplicaRead is what a reader reads in one replica region.
type ReplicaRead struct {
	// Region is the replica region, never the account's own.
	Region string
	// KeyARN is that region's customer-managed key of the replicas.
	KeyARN string
	// SecretARNs are the replica ARNs: the primaries' with the region changed.
	SecretARNs []string
}

// ViaSecretsManager is the kms:ViaService value of Secrets Manager in the
// account's region.
func (a Account) ViaSecretsManager() string { return a.ServiceHost("secretsmanager") }

// ReaderPolicy is the identity policy of a reader: GetSecretValue and
// DescribeSecret on exact ARNs, and kms:Decrypt on each region's key, only
// when Secrets Manager of that key's region calls KMS on the reader's behalf
// for one of the secrets there. It never grants GenerateDataKey or any other
// key action: reading a secret needs Decrypt alone (SECURITY-RULES 5). A
// replica's key opens that region's replicas only, through that region's
// Secrets Manager only: the primary's key is never usable from a replica
// region, nor a replica's from another region.
func ReaderPolicy(a ReaderArgs) (Document, error) {
	if len(a.SecretARNs) == 0 && len(a.Replicas) == 0 {
		return Document{}, errors.New("build reader policy: SecretARNs or Replicas are required")
	}
	if len(a.SecretARNs) > 0 && a.KeyARN == "" {
		return Document{}, errors.New("build reader policy: KeyARN is required with SecretARNs")
	}
	if err := a.Account.Validate(); err != nil {
		return Document{}, fmt.Errorf("build reader policy: %w", err)
	}
	replicas := slices.Clone(a.Replicas)
	slices.SortFunc(replicas, func(x, y ReplicaRead) int { return strings.Compare(x.Region, y.Region) })
	all := slices.Clone(a.SecretARNs)
	for i, r := range replicas {
		if r.Region == "" || r.Region == a.Account.Region || r.KeyARN == "" || len(r.SecretARNs) == 0 ||
			(i > 0 && replicas[i-1].Region == r.Region) {
			return Document{}, fmt.Errorf("build reader policy: replica read %+v: want a region other than %s, once, with its key and ARNs", r, a.Account.Region)
		}
		all = append(all, r.SecretARNs...)
	}
	all = slices.Compact(slices.Sorted(slices.Values(all)))
	read := Statement{
		Sid:      "ReadSecretValues",
		Effect:   Allow,
		Action:   Strings{"secretsmanager:GetSecretValue"},
		Resource: Strings(all),
	}
	if a.VersionStage != "" {
		read.Condition = Conditions{"StringEquals": {"secretsmanager:VersionStage": {a.VersionStage}}}
	}
	stmts := []Statement{
		read,
		// DescribeSecret has no VersionStage context, so it cannot share the
		// conditioned statement: the condition would never match and deny it.
		{
			Sid:      "DescribeSecrets",
			Effect:   Allow,
			Action:   Strings{"secretsmanager:DescribeSecret"},
			Resource: Strings(all),
		},
	}
	if len(a.SecretARNs) > 0 {
		stmts = append(stmts, decryptStatement("DecryptThroughSecretsManagerOnly", a.Account,
			append(Strings{a.KeyARN}, slices.Compact(slices.Sorted(slices.Values(a.OtherKeyARNs)))...), a.SecretARNs))
	}
	for _, r := range replicas {
		stmts = append(stmts, decryptStatement("DecryptThroughSecretsManagerIn"+RegionSid(r.Region), a.Account.InRegion(r.Region),
			Strings{r.KeyARN}, r.SecretARNs))
	}
	return New(stmts...), nil
}

// decryptStatement lets the reader decrypt with keys only when Secrets
// Manager of the account's region asks KMS on its behalf, from its own
// account, for one of arns: Secrets Manager names the secret in the
// encryption context, so the grant cannot open another secret's data key.
func decryptStatement(sid string, a Account, keys Strings, arns []string) Statement {
	return Statement{
		Sid:      sid,
		Effect:   Allow,
		Action:   Strings{"kms:Decrypt"},
		Resource: keys,
		Condition: Conditions{
			"StringEquals": {
				"kms:ViaService":           {a.ViaSecretsManager()},
				"kms:CallerAccount":        {a.ID},
				EncryptionContextSecretARN: Strings(slices.Sorted(slices.Values(arns))),
			},
		},
	}
}
