package main

import (
	"fmt"

	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/secrets"
)

// GitHub's OIDC issuer and the audience aws-actions/configure-aws-credentials asks for.
const (
	oidcHost     = "token.actions.githubusercontent.com"
	oidcAudience = "sts.amazonaws.com"
)

// trustPolicy lets exactly one GitHub subject assume a role through the OIDC
// provider. StringEquals, never StringLike: the subject names one repository
// and one event or environment.
func trustPolicy(providerARN, subject string) iam.Document {
	return iam.New(iam.Statement{
		Sid:       "GitHubActionsOIDC",
		Effect:    iam.Allow,
		Principal: &iam.Principal{Federated: iam.Strings{providerARN}},
		Action:    iam.Strings{"sts:AssumeRoleWithWebIdentity"},
		Condition: iam.Conditions{"StringEquals": {
			oidcHost + ":aud": {oidcAudience},
			oidcHost + ":sub": {subject},
		}},
	})
}

// previewSubject is the token subject of pull_request workflow runs.
func previewSubject(repo string) string { return "repo:" + repo + ":pull_request" }

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
		// Preview reads state and takes the stack lock, nothing else.
		out = append(out,
			iam.Statement{Sid: "ReadState", Effect: iam.Allow, Action: iam.Strings{"s3:GetObject"}, Resource: iam.Strings{bucketARN + "/*"}},
			iam.Statement{Sid: "StackLocks", Effect: iam.Allow, Action: iam.Strings{"s3:DeleteObject", "s3:PutObject"}, Resource: iam.Strings{bucketARN + "/.pulumi/locks/*"}})
	}
	return out
}

// previewPolicy adds to AWS's ReadOnlyAccess what preview needs (state) and
// takes away what a pull request must never reach: secret values.
func previewPolicy(bucketARN, keyARN string) iam.Document {
	return iam.New(stateStatements(bucketARN, keyARN, false)...).WithStatements(iam.Statement{
		Sid:      "NeverReadSecretValues",
		Effect:   iam.Deny,
		Action:   iam.Strings{"secretsmanager:GetSecretValue"},
		Resource: iam.Strings{"*"},
	})
}

// deployPolicy is what `pulumi up` of the main program needs, scoped to the
// environment's names ("/{env}/..." secrets, "{env}-..." roles, functions,
// topics, alarms, database) wherever the service allows it. It necessarily
// manages IAM roles: that is the named exception to SECURITY-RULES 8, bounded
// by role names, by iam:PassedToService on PassRole, and by the GitHub
// environment's approval and main-only branch policy.
func deployPolicy(a iam.Account, env, bucketARN, keyARN string, consumerRoles []string) iam.Document {
	p := a.Partition
	viaServices := iam.Strings{}
	for _, s := range []string{"secretsmanager", "rds", "lambda", "logs", "sns"} {
		viaServices = append(viaServices, fmt.Sprintf("%s.%s.amazonaws.com", s, a.Region))
	}
	stmts := []iam.Statement{
		{Sid: "SecretsOfTheEnvironment", Effect: iam.Allow, Action: iam.Strings{
			"secretsmanager:CancelRotateSecret", "secretsmanager:CreateSecret", "secretsmanager:DeleteResourcePolicy",
			"secretsmanager:DeleteSecret", "secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy",
			"secretsmanager:GetSecretValue", "secretsmanager:PutResourcePolicy", "secretsmanager:PutSecretValue",
			"secretsmanager:RestoreSecret", "secretsmanager:RotateSecret", "secretsmanager:TagResource",
			"secretsmanager:UntagResource", "secretsmanager:UpdateSecret", "secretsmanager:ValidateResourcePolicy",
		}, Resource: iam.Strings{a.ARN("secretsmanager", "secret:/"+env+"/*")}},
		// RDS creates the master secret (rds!db-...) with the caller's rights
		// when the instance has manageMasterUserPassword.
		{Sid: "RDSManagedMasterSecret", Effect: iam.Allow, Action: iam.Strings{
			"secretsmanager:CreateSecret", "secretsmanager:DescribeSecret", "secretsmanager:TagResource",
		}, Resource: iam.Strings{a.ARN("secretsmanager", "secret:rds!*")}},
		{Sid: "SecretsManagerUnscoped", Effect: iam.Allow, Action: iam.Strings{"secretsmanager:GetRandomPassword", "secretsmanager:ListSecrets"}, Resource: iam.Strings{"*"}},
		{Sid: "CreateKeys", Effect: iam.Allow, Action: iam.Strings{"kms:CreateKey", "kms:ListAliases", "kms:ListKeys"}, Resource: iam.Strings{"*"}},
		{Sid: "ManageKeysAndAliases", Effect: iam.Allow, Action: iam.Strings{
			"kms:CreateAlias", "kms:DeleteAlias", "kms:DescribeKey", "kms:EnableKeyRotation", "kms:GetKeyPolicy",
			"kms:GetKeyRotationStatus", "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion",
			"kms:TagResource", "kms:UntagResource", "kms:UpdateAlias", "kms:UpdateKeyDescription",
		}, Resource: iam.Strings{a.ARN("kms", "key/*"), a.ARN("kms", "alias/"+env+"/*")}},
		{Sid: "UseKeysThroughServices", Effect: iam.Allow, Action: iam.Strings{"kms:CreateGrant", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"},
			Resource: iam.Strings{a.ARN("kms", "key/*")}, Condition: iam.Conditions{"StringEquals": {"kms:ViaService": viaServices}}},
		{Sid: "RolesOfTheEnvironment", Effect: iam.Allow, Action: iam.Strings{
			"iam:AttachRolePolicy", "iam:CreateRole", "iam:DeleteRole", "iam:DeleteRolePolicy", "iam:DetachRolePolicy",
			"iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole",
			"iam:ListRolePolicies", "iam:PutRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:UpdateAssumeRolePolicy", "iam:UpdateRole",
		}, Resource: iam.Strings{fmt.Sprintf("arn:%s:iam::%s:role/%s-*", p, a.ID, env)}},
		{Sid: "ManagedPolicies", Effect: iam.Allow, Action: iam.Strings{
			"iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:GetPolicy",
			"iam:GetPolicyVersion", "iam:ListPolicyVersions", "iam:TagPolicy", "iam:UntagPolicy",
		}, Resource: iam.Strings{fmt.Sprintf("arn:%s:iam::%s:policy/*", p, a.ID)}},
		{Sid: "PassRolesToTheirServicesOnly", Effect: iam.Allow, Action: iam.Strings{"iam:PassRole"},
			Resource:  iam.Strings{fmt.Sprintf("arn:%s:iam::%s:role/%s-*", p, a.ID, env)},
			Condition: iam.Conditions{"StringEquals": {"iam:PassedToService": {"lambda.amazonaws.com", "rds.amazonaws.com"}}}},
		{Sid: "RotationFunctions", Effect: iam.Allow, Action: iam.Strings{
			"lambda:AddPermission", "lambda:CreateFunction", "lambda:DeleteFunction", "lambda:DeleteFunctionConcurrency",
			"lambda:GetFunction", "lambda:GetFunctionCodeSigningConfig", "lambda:GetFunctionConfiguration", "lambda:GetPolicy",
			"lambda:GetRuntimeManagementConfig", "lambda:ListTags", "lambda:ListVersionsByFunction", "lambda:PutFunctionConcurrency",
			"lambda:RemovePermission", "lambda:TagResource", "lambda:UntagResource", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
		}, Resource: iam.Strings{a.ARN("lambda", "function:"+env+"-*")}},
		{Sid: "RotationLogGroups", Effect: iam.Allow, Action: iam.Strings{
			"logs:AssociateKmsKey", "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:DeleteRetentionPolicy",
			"logs:DisassociateKmsKey", "logs:ListTagsForResource", "logs:PutRetentionPolicy", "logs:TagResource", "logs:UntagResource",
		}, Resource: iam.Strings{a.ARN("logs", "log-group:/aws/lambda/"+env+"-*")}},
		{Sid: "DescribeUnscoped", Effect: iam.Allow, Action: iam.Strings{
			"cloudwatch:DescribeAlarms", "config:DescribeConfigRules", "ec2:DescribeAccountAttributes", "ec2:DescribeAvailabilityZones",
			"ec2:DescribeNetworkAcls", "ec2:DescribeNetworkInterfaces", "ec2:DescribePrefixLists", "ec2:DescribeRouteTables", "ec2:DescribeSecurityGroupRules", "ec2:DescribeSecurityGroups",
			"ec2:DescribeSubnets", "ec2:DescribeTags", "ec2:DescribeVpcAttribute", "ec2:DescribeVpcEndpoints", "ec2:DescribeVpcs",
			"logs:DescribeLogGroups", "rds:DescribeDBEngineVersions", "rds:DescribeDBInstances", "rds:DescribeDBParameterGroups",
			"rds:DescribeDBParameters", "rds:DescribeDBSubnetGroups", "sns:ListTopics",
		}, Resource: iam.Strings{"*"}},
		{Sid: "PrivateNetworkInThisRegion", Effect: iam.Allow, Action: iam.Strings{
			"ec2:AuthorizeSecurityGroupEgress", "ec2:AuthorizeSecurityGroupIngress", "ec2:CreateSecurityGroup", "ec2:CreateSubnet",
			"ec2:CreateTags", "ec2:CreateVpc", "ec2:CreateVpcEndpoint", "ec2:DeleteSecurityGroup", "ec2:DeleteSubnet", "ec2:DeleteTags",
			"ec2:DeleteVpc", "ec2:DeleteVpcEndpoints", "ec2:ModifySubnetAttribute", "ec2:ModifyVpcAttribute", "ec2:ModifyVpcEndpoint",
			"ec2:RevokeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress",
		}, Resource: iam.Strings{fmt.Sprintf("arn:%s:ec2:%s:%s:*", p, a.Region, a.ID)}},
		// An interface endpoint with private DNS associates the VPC with a
		// private hosted zone that AWS owns.
		{Sid: "EndpointPrivateDNS", Effect: iam.Allow, Action: iam.Strings{"route53:AssociateVPCWithHostedZone"},
			Resource: iam.Strings{fmt.Sprintf("arn:%s:route53:::hostedzone/*", p)}},
		{Sid: "DatabaseOfTheEnvironment", Effect: iam.Allow, Action: iam.Strings{
			"rds:AddTagsToResource", "rds:CreateDBInstance", "rds:CreateDBParameterGroup", "rds:CreateDBSubnetGroup",
			"rds:DeleteDBInstance", "rds:DeleteDBParameterGroup", "rds:DeleteDBSubnetGroup", "rds:ListTagsForResource",
			"rds:ModifyDBInstance", "rds:ModifyDBParameterGroup", "rds:ModifyDBSubnetGroup", "rds:RebootDBInstance",
			"rds:RemoveTagsFromResource", "rds:CreateDBSnapshot",
		}, Resource: iam.Strings{
			a.ARN("rds", "db:"+env+"-*"), a.ARN("rds", "pg:*"), a.ARN("rds", "subgrp:*"), a.ARN("rds", "snapshot:"+env+"-*"),
		}},
		{Sid: "AlertTopic", Effect: iam.Allow, Action: iam.Strings{
			"sns:CreateTopic", "sns:DeleteTopic", "sns:GetSubscriptionAttributes", "sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic",
			"sns:ListTagsForResource", "sns:SetSubscriptionAttributes", "sns:SetTopicAttributes", "sns:Subscribe", "sns:TagResource",
			"sns:Unsubscribe", "sns:UntagResource",
		}, Resource: iam.Strings{a.ARN("sns", env+"-*")}},
		{Sid: "AlertRulesAndSchedules", Effect: iam.Allow, Action: iam.Strings{
			"events:DeleteRule", "events:DescribeRule", "events:DisableRule", "events:EnableRule", "events:ListTagsForResource",
			"events:ListTargetsByRule", "events:PutRule", "events:PutTargets", "events:RemoveTargets", "events:TagResource", "events:UntagResource",
		}, Resource: iam.Strings{a.ARN("events", "rule/*")}},
		{Sid: "AlarmsOfTheEnvironment", Effect: iam.Allow, Action: iam.Strings{
			"cloudwatch:DeleteAlarms", "cloudwatch:ListTagsForResource", "cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:UntagResource",
		}, Resource: iam.Strings{a.ARN("cloudwatch", "alarm:"+env+"-*")}},
		{Sid: "AgeRule", Effect: iam.Allow, Action: iam.Strings{
			"config:DeleteConfigRule", "config:ListTagsForResource", "config:PutConfigRule", "config:TagResource", "config:UntagResource",
		}, Resource: iam.Strings{a.ARN("config", "config-rule/*")}},
	}
	if len(consumerRoles) > 0 {
		stmts = append(stmts, iam.Statement{Sid: "ConsumerAccountDeployRoles", Effect: iam.Allow, Action: iam.Strings{"sts:AssumeRole"}, Resource: iam.Strings(consumerRoles)})
	}
	return iam.New(append(stmts, stateStatements(bucketARN, keyARN, true)...)...)
}
