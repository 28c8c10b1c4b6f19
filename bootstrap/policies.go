package main

import (
	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/secrets"
)

// GitHub's OIDC issuer and the audience aws-actions/configure-aws-credentials asks for.
const (
	oidcHost     = "token.actions.githubusercontent.com"
	oidcAudience = "sts.amazonaws.com"
)

// trustPolicy lets exactly the named GitHub subjects assume a role through
// the OIDC provider. StringEquals, never StringLike: each subject names one
// repository and one event, branch or environment.
func trustPolicy(providerARN string, subjects ...string) iam.Document {
	return iam.New(iam.Statement{
		Sid:       "GitHubActionsOIDC",
		Effect:    iam.Allow,
		Principal: &iam.Principal{Federated: iam.Strings{providerARN}},
		Action:    iam.Strings{"sts:AssumeRoleWithWebIdentity"},
		Condition: iam.Conditions{"StringEquals": {
			oidcHost + ":aud": {oidcAudience},
			oidcHost + ":sub": iam.Strings(subjects),
		}},
	})
}

// previewSubjects are the token subjects of the runs that preview: pull
// requests, and jobs on main outside an environment (stack-deploy.yml's
// reviewed preview, drift.yml's daily check), whose subject is the branch.
func previewSubjects(repo string) []string {
	return []string{"repo:" + repo + ":pull_request", "repo:" + repo + ":ref:refs/heads/main"}
}

// deploySubject is the token subject of jobs that run in a GitHub
// environment. The environment's deployment branch policy (main only, set by
// docs/bootstrap.md) is what ties it to refs/heads/main: GitHub replaces the
// ref with the environment in the subject of such jobs.
func deploySubject(repo, environment string) string {
	return "repo:" + repo + ":environment:" + environment
}

// secretsProviderKeyPolicy: this account's IAM decides use (the preview and
// deploy roles' policies grant Decrypt and Encrypt), the named roles administer.
func secretsProviderKeyPolicy(a iam.Account, admins []string) iam.Document {
	return secrets.KeyPolicy(secrets.KeyPolicyArgs{Account: a, AdminRoleARNs: admins})
}

// bucketPolicy refuses every request that is not over TLS.
func bucketPolicy(bucketARN string) iam.Document {
	return iam.New(iam.Statement{
		Sid:       "DenyInsecureTransport",
		Effect:    iam.Deny,
		Principal: &iam.Principal{Any: true},
		Action:    iam.Strings{"s3:*"},
		Resource:  iam.Strings{bucketARN, bucketARN + "/*"},
		Condition: iam.Conditions{"Bool": {"aws:SecureTransport": {"false"}}},
	})
}

// stateStatements let a role read (and, with write, change) the state and
// use the secrets-provider key. bucketARN is empty with Pulumi Cloud.
func stateStatements(bucketARN, keyARN string, write bool) []iam.Statement {
	keyActions := iam.Strings{"kms:Decrypt", "kms:DescribeKey"}
	if write {
		keyActions = append(keyActions, "kms:Encrypt", "kms:GenerateDataKey")
	}
	out := []iam.Statement{{Sid: "SecretsProviderKey", Effect: iam.Allow, Action: keyActions, Resource: iam.Strings{keyARN}}}
	if bucketARN == "" {
		return out
	}
	out = append(out, iam.Statement{Sid: "ListState", Effect: iam.Allow, Action: iam.Strings{"s3:GetBucketLocation", "s3:GetBucketVersioning", "s3:ListBucket"}, Resource: iam.Strings{bucketARN}})
	if write {
		out = append(out, iam.Statement{Sid: "ReadWriteState", Effect: iam.Allow,
			Action: iam.Strings{"s3:DeleteObject", "s3:GetObject", "s3:PutObject"}, Resource: iam.Strings{bucketARN + "/*"}})
	} else {
		// A preview reads state and writes nothing: the diy backend takes
		// the stack lock only to change a stack.
		out = append(out, iam.Statement{Sid: "ReadState", Effect: iam.Allow, Action: iam.Strings{"s3:GetObject"}, Resource: iam.Strings{bucketARN + "/*"}})
	}
	return out
}
