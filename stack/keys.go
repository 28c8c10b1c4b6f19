package stack

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/alerts"
	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/crossaccount"
	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/secrets"
)

// keys are the stack's two customer-managed keys. Secrets get a key of their
// own so that whoever may decrypt infrastructure data (RDS storage and
// snapshots, Lambda environments, logs, the alert topic) cannot decrypt a
// secret, and a shared snapshot never widens access to secrets.
type keys struct {
	// Secrets encrypts every secret, including the RDS-managed master secret.
	Secrets *secrets.Key
	// Platform encrypts RDS storage, Performance Insights, Lambda environments,
	// log groups and the alert topic.
	Platform *secrets.Key
	// Replicas are, by replica region, the keys of the replicas there: a key
	// of each region with the secrets key's policy, made for that region
	// (decision D13).
	Replicas map[string]*secrets.Key
}

func newKeys(ctx *pulumi.Context, b base) (keys, error) {
	cfg := b.cfg
	// newKey differs between the two keys only in purpose and contributed statements.
	newKey := func(purpose, description string, statements []iam.Statement, adoptARN string) (*secrets.Key, error) {
		return secrets.NewKey(ctx, purpose+"-key", &secrets.KeyArgs{
			Alias:              cfg.Environment + "/" + purpose,
			Description:        description,
			DeletionWindowDays: cfg.Protection.KeyDeletionWindowDays,
			Protect:            cfg.Protection.Protect,
			Tags:               b.tags,
			AdoptID:            config.KeyID(adoptARN),
			Policy: secrets.KeyPolicy(secrets.KeyPolicyArgs{
				Account: b.acct, AdminRoleARNs: cfg.KeyAdminRoleARNs,
				Statements: statements,
			}),
		})
	}
	secretsKey, err := newKey("secrets", fmt.Sprintf("Secrets Manager secrets of %s", cfg.Environment), crossaccount.KeyStatements(cfg, b.acct), cfg.AdoptSecretsKeyARN)
	if err != nil {
		return keys{}, err
	}
	platformKey, err := newKey("platform",
		fmt.Sprintf("Infrastructure data of %s: database storage, Lambda environments, logs, alerts", cfg.Environment),
		platformKeyStatements(cfg, b.acct), "")
	if err != nil {
		return keys{}, err
	}
	replicas, err := newReplicaKeys(ctx, b)
	if err != nil {
		return keys{}, err
	}
	return keys{Secrets: secretsKey, Platform: platformKey, Replicas: replicas}, nil
}

// newReplicaKeys makes, through each replica region's provider, that
// region's key of the replicas: the secrets key's alias, deletion window,
// protection and policy (its administrators, this account's IAM deciding
// use, grants only for AWS services), with the statements of the principals
// of other accounts that read the replicas there, each through that
// region's Secrets Manager (SECURITY-RULES 1, 3 and 4 in every region).
func newReplicaKeys(ctx *pulumi.Context, b base) (map[string]*secrets.Key, error) {
	cfg := b.cfg
	out := map[string]*secrets.Key{}
	for _, r := range cfg.ReplicaRegionsInUse() {
		k, err := secrets.NewKey(ctx, ReplicaKeyName(r), &secrets.KeyArgs{
			Alias:              cfg.Environment + "/secrets",
			Description:        fmt.Sprintf("Replicas in %s of the Secrets Manager secrets of %s", r, cfg.Environment),
			DeletionWindowDays: cfg.Protection.KeyDeletionWindowDays,
			Protect:            cfg.Protection.Protect,
			Tags:               b.tags,
			Policy: secrets.KeyPolicy(secrets.KeyPolicyArgs{
				Account: b.acct.InRegion(r), AdminRoleARNs: cfg.KeyAdminRoleARNs,
				Statements: crossaccount.KeyStatementsIn(cfg, b.acct, r),
			}),
		}, pulumi.Provider(b.providers[r]))
		if err != nil {
			return nil, err
		}
		out[r] = k
	}
	return out, nil
}

// ReplicaKeyName is the logical name of a replica region's key.
func ReplicaKeyName(region string) string { return "secrets-key-" + region }

// replicaArns are the replica keys' ARNs by region, as components take them.
func (k keys) replicaArns() map[string]pulumi.StringInput {
	out := map[string]pulumi.StringInput{}
	for r, key := range k.Replicas {
		out[r] = key.Arn
	}
	return out
}

func (k keys) exports() Exports {
	out := Exports{
		"secretsKeyArn":    k.Secrets.Arn,
		"secretsKeyAlias":  k.Secrets.AliasName,
		"platformKeyArn":   k.Platform.Arn,
		"platformKeyAlias": k.Platform.AliasName,
	}
	if len(k.Replicas) > 0 {
		arns := pulumi.StringMap{}
		for r, key := range k.Replicas {
			arns[r] = key.Arn
		}
		out["replicaKeyArns"] = arns
	}
	return out
}

// platformKeyStatements let AWS services encrypt the stack's infrastructure
// data, each conditioned on its source.
func platformKeyStatements(cfg config.Config, acct iam.Account) []iam.Statement {
	return append([]iam.Statement{logsKeyStatement(cfg, acct)}, alerts.KeyStatements(acct, cfg.Environment)...)
}

// logsKeyStatement lets CloudWatch Logs encrypt this stack's Lambda log groups
// and nothing else (the encryption context names the log group).
func logsKeyStatement(cfg config.Config, acct iam.Account) iam.Statement {
	return iam.Statement{
		Sid:       "CloudWatchLogsForThisStacksLogGroups",
		Effect:    iam.Allow,
		Principal: &iam.Principal{Service: iam.Strings{acct.ServiceHost("logs")}},
		Action:    iam.Strings{"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:ReEncryptTo"},
		Resource:  iam.Strings{"*"},
		Condition: iam.Conditions{"ArnLike": {
			"kms:EncryptionContext:aws:logs:arn": {acct.ARN("logs", "log-group:/aws/lambda/"+cfg.Environment+"-*")},
		}},
	}
}
