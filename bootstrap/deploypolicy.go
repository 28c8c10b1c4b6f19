package main

import (
	"fmt"
	"slices"

	"github.com/acme/secrets-platform/iam"
)

// Tag keys every taggable resource of the main program carries
// (stack/stack.go): the deploy role changes EC2, RDS and Config resources
// only when they carry this environment's and this stack's values, and
// creates them only with those values.
const (
	tagEnvironment = "Environment"
	tagStack       = "PulumiStack"
)

// scope is what the deploy role is confined to: the account, the
// environment's names, the stack's tags and the environment's boundary.
type scope struct {
	a        iam.Account
	env      string
	stack    string
	boundary string
	// replicas are the main stack's replica regions.
	replicas []string
}

func newScope(a iam.Account, s settings) scope {
	return scope{a: a, env: s.AppEnvironment, stack: s.AppStack, boundary: iam.BoundaryARN(a, s.AppEnvironment), replicas: slices.Sorted(slices.Values(s.ReplicaRegions))}
}

// everywhere is the ARN of a resource in the stack's region and in each
// replica region (keys, aliases, the forwarders' rules).
func (s scope) everywhere(service, resource string) iam.Strings {
	out := iam.Strings{s.a.ARN(service, resource)}
	for _, r := range s.replicas {
		out = append(out, s.a.InRegion(r).ARN(service, resource))
	}
	return out
}

// prefix is what the environment's names start with.
func (s scope) prefix() string { return iam.RolePrefix(s.env) }

func (s scope) requestTags() map[string]iam.Strings {
	return map[string]iam.Strings{"aws:RequestTag/" + tagEnvironment: {s.env}, "aws:RequestTag/" + tagStack: {s.stack}}
}

func (s scope) resourceTags() map[string]iam.Strings {
	return map[string]iam.Strings{"aws:ResourceTag/" + tagEnvironment: {s.env}, "aws:ResourceTag/" + tagStack: {s.stack}}
}

func (s scope) roles() string { return s.a.GlobalARN("iam", "role/"+s.prefix()+"*") }

func (s scope) functions() string { return s.a.ARN("lambda", "function:"+s.prefix()+"*") }

func (s scope) stateMachines() string { return s.a.ARN("states", "stateMachine:"+s.prefix()+"*") }

func (s scope) ec2(kinds ...string) iam.Strings {
	var out iam.Strings
	for _, k := range kinds {
		out = append(out, s.a.ARN("ec2", k+"/*"))
	}
	return out
}

// deployPolicy is what `pulumi up` of the main program needs
// (internal/deploymatrix), confined to the environment. It manages IAM
// roles, the named exception to SECURITY-RULES 8, bounded (rule 18): every
// role it creates or changes is the environment's, by name, and carries the
// environment's permissions boundary, which it can neither remove nor edit;
// it attaches only two AWS-managed policies and writes customer-managed
// policies only under the stack's path. Keys are administered through their
// own key policies, which name this role; its own policy adds only creating
// them, with the lockout check, and their aliases. Key deletion is
// break-glass (docs/bootstrap.md).
func deployPolicy(a iam.Account, s settings, bucketARN, keyARN string) iam.Document {
	sc := newScope(a, s)
	stmts := concat(
		sc.secretStatements(), sc.keyStatements(), sc.iamStatements(), sc.functionStatements(),
		sc.alertStatements(), sc.workloadStatements(), sc.networkStatements(), sc.databaseStatements(), sc.denyStatements(),
	)
	if len(s.ConsumerRoleARNs) > 0 {
		stmts = append(stmts, iam.Statement{Sid: "ConsumerAccountDeployRoles", Effect: iam.Allow,
			Action: iam.Strings{"sts:AssumeRole"}, Resource: iam.Strings(s.ConsumerRoleARNs)})
	}
	return iam.New(append(stmts, stateStatements(bucketARN, keyARN, true)...)...)
}

func concat(groups ...[]iam.Statement) []iam.Statement {
	var out []iam.Statement
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

func (s scope) secretStatements() []iam.Statement {
	secrets := iam.Strings{s.a.ARN("secretsmanager", "secret:/"+s.env+"/*")}
	return []iam.Statement{
		{Sid: "SecretsOfTheEnvironment", Effect: iam.Allow, Action: iam.Strings{
			"secretsmanager:CancelRotateSecret", "secretsmanager:CreateSecret", "secretsmanager:DeleteResourcePolicy",
			"secretsmanager:DeleteSecret", "secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy",
			"secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:RemoveRegionsFromReplication",
			"secretsmanager:ReplicateSecretToRegions", "secretsmanager:RotateSecret",
			"secretsmanager:TagResource", "secretsmanager:UntagResource", "secretsmanager:UpdateSecret",
			"secretsmanager:UpdateSecretVersionStage",
		}, Resource: secrets},
		{Sid: "ResourcePoliciesOnlyWithPublicAccessBlocked", Effect: iam.Allow,
			Action: iam.Strings{"secretsmanager:PutResourcePolicy"}, Resource: secrets,
			Condition: iam.Conditions{"Bool": {"secretsmanager:BlockPublicPolicy": {"true"}}}},
		// RDS creates the master secret (rds!db-...) with the caller's rights
		// when the instance has manageMasterUserPassword.
		{Sid: "DatabaseMasterSecretsRDSCreates", Effect: iam.Allow,
			Action:   iam.Strings{"secretsmanager:CreateSecret", "secretsmanager:TagResource"},
			Resource: iam.Strings{s.a.ARN("secretsmanager", "secret:rds!*")}},
	}
}

func (s scope) keyStatements() []iam.Statement {
	keys := s.everywhere("kms", "key/*")
	primaryKeys := iam.Strings{s.a.ARN("kms", "key/*")}
	return append([]iam.Statement{
		{Sid: "CreateTaggedKeysWithTheLockoutCheck", Effect: iam.Allow, Action: iam.Strings{"kms:CreateKey"}, Resource: iam.Strings{"*"},
			Condition: iam.Conditions{"StringEquals": s.requestTags(), "Bool": {"kms:BypassPolicyLockoutSafetyCheck": {"false"}}}},
		// Tagging gives nothing here: no statement of this role decides by a
		// key's tags, administration comes from each key's own policy.
		{Sid: "TagKeysAsTheStacks", Effect: iam.Allow, Action: iam.Strings{"kms:TagResource"}, Resource: keys,
			Condition: iam.Conditions{"StringEquals": s.requestTags()}},
		{Sid: "ListAliases", Effect: iam.Allow, Action: iam.Strings{"kms:ListAliases"}, Resource: iam.Strings{"*"}},
		{Sid: "AliasesOfTheEnvironment", Effect: iam.Allow, Action: iam.Strings{"kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"},
			Resource: s.everywhere("kms", "alias/"+s.env+"/*")},
		{Sid: "DescribeKeysForRDSAndLambda", Effect: iam.Allow, Action: iam.Strings{"kms:DescribeKey"}, Resource: keys},
		{Sid: "UseKeysOnlyThroughSecretsManagerAndLambda", Effect: iam.Allow,
			Action: iam.Strings{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"}, Resource: primaryKeys,
			Condition: iam.Conditions{"StringEquals": {
				"kms:ViaService":    {s.a.ServiceHost("secretsmanager"), s.a.ServiceHost("lambda")},
				"kms:CallerAccount": {s.a.ID},
			}}},
		{Sid: "GrantsOnlyToRDSAndLambdaForTheirResources", Effect: iam.Allow, Action: iam.Strings{"kms:CreateGrant"}, Resource: primaryKeys,
			Condition: iam.Conditions{
				"StringEquals": {"kms:ViaService": {s.a.ServiceHost("rds"), s.a.ServiceHost("lambda")}},
				"Bool":         {"kms:GrantIsForAWSResource": {"true"}},
			}},
	}, s.replicationStatements()...)
}

// replicationStatements let the deploy role's puts and replications reach
// each replica region: Secrets Manager re-encrypts a version with that
// region's key, with the caller's rights, through that region's Secrets
// Manager (API reference, ReplicateSecretToRegions).
func (s scope) replicationStatements() []iam.Statement {
	var out []iam.Statement
	for _, r := range s.replicas {
		in := s.a.InRegion(r)
		out = append(out, iam.Statement{Sid: "ReplicateThroughSecretsManagerIn" + iam.RegionSid(r), Effect: iam.Allow,
			Action: iam.Strings{"kms:Encrypt", "kms:GenerateDataKey"}, Resource: iam.Strings{in.ARN("kms", "key/*")},
			Condition: iam.Conditions{"StringEquals": {
				"kms:ViaService": {in.ViaSecretsManager()}, "kms:CallerAccount": {s.a.ID},
			}}})
	}
	return out
}

func (s scope) iamStatements() []iam.Statement {
	roles := iam.Strings{s.roles()}
	bounded := map[string]iam.Strings{"iam:PermissionsBoundary": {s.boundary}}
	return []iam.Statement{
		{Sid: "CreateRolesOnlyWithTheBoundary", Effect: iam.Allow, Action: iam.Strings{"iam:CreateRole"}, Resource: roles,
			Condition: iam.Conditions{"StringEquals": bounded}},
		{Sid: "ChangeOnlyBoundedRolesOfTheEnvironment", Effect: iam.Allow, Action: iam.Strings{
			"iam:DeleteRole", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:UpdateRole",
		}, Resource: roles, Condition: iam.Conditions{"StringEquals": bounded}},
		{Sid: "AttachOnlyTheTwoAWSManagedPoliciesToBoundedRoles", Effect: iam.Allow,
			Action: iam.Strings{"iam:AttachRolePolicy", "iam:DetachRolePolicy"}, Resource: roles,
			Condition: iam.Conditions{"StringEquals": bounded, "ArnEquals": {"iam:PolicyARN": iam.AttachableManagedPolicies(s.a.Partition)}}},
		{Sid: "TagRolesOfTheEnvironment", Effect: iam.Allow, Action: iam.Strings{"iam:TagRole"}, Resource: roles,
			Condition: iam.Conditions{"StringEquals": s.requestTags()}},
		{Sid: "ReadAndUntagRolesOfTheEnvironment", Effect: iam.Allow, Action: iam.Strings{
			"iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole",
			"iam:ListRolePolicies", "iam:UntagRole",
		}, Resource: roles},
		{Sid: "PassRolesOfTheEnvironmentToLambdaOnly", Effect: iam.Allow, Action: iam.Strings{"iam:PassRole"}, Resource: roles,
			Condition: iam.Conditions{"StringEquals": {"iam:PassedToService": {iam.LambdaService}}}},
		{Sid: "CustomerManagedPoliciesUnderTheStackPathOnly", Effect: iam.Allow, Action: iam.Strings{
			"iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:GetPolicy",
			"iam:GetPolicyVersion", "iam:ListPolicyTags", "iam:ListPolicyVersions", "iam:TagPolicy", "iam:UntagPolicy",
		}, Resource: iam.Strings{s.a.GlobalARN("iam", "policy"+iam.StackPolicyPath(s.env)+"*")}},
		{Sid: "RDSServiceLinkedRoleOnly", Effect: iam.Allow, Action: iam.Strings{"iam:CreateServiceLinkedRole"},
			Resource:  iam.Strings{s.a.GlobalARN("iam", "role/aws-service-role/rds.amazonaws.com/*")},
			Condition: iam.Conditions{"StringEquals": {"iam:AWSServiceName": {"rds.amazonaws.com"}}}},
	}
}

func (s scope) functionStatements() []iam.Statement {
	fns := iam.Strings{s.functions()}
	return []iam.Statement{
		{Sid: "FunctionsOfTheEnvironment", Effect: iam.Allow, Action: iam.Strings{
			"lambda:CreateFunction", "lambda:DeleteFunction", "lambda:DeleteFunctionConcurrency", "lambda:GetFunction",
			"lambda:GetFunctionCodeSigningConfig", "lambda:GetFunctionConfiguration", "lambda:GetPolicy",
			"lambda:GetRuntimeManagementConfig", "lambda:ListVersionsByFunction", "lambda:PutFunctionConcurrency",
			"lambda:RemovePermission", "lambda:TagResource", "lambda:UntagResource", "lambda:UpdateFunctionCode",
			"lambda:UpdateFunctionConfiguration",
		}, Resource: fns},
		{Sid: "InvokePermissionsForSecretsManagerAndEventBridgeOnly", Effect: iam.Allow, Action: iam.Strings{"lambda:AddPermission"},
			Resource: fns, Condition: iam.Conditions{"StringEquals": {"lambda:Principal": {"events.amazonaws.com", "secretsmanager.amazonaws.com"}}}},
		// RotateSecret checks that the caller may invoke the rotation function.
		{Sid: "RotateWithTheEnvironmentsRotators", Effect: iam.Allow, Action: iam.Strings{"lambda:InvokeFunction"},
			Resource: iam.Strings{s.a.ARN("lambda", "function:"+s.prefix()+"rotate-*")}},
		{Sid: "LogGroupsOfTheEnvironmentsFunctions", Effect: iam.Allow, Action: iam.Strings{
			"logs:AssociateKmsKey", "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:DeleteRetentionPolicy",
			"logs:DisassociateKmsKey", "logs:ListTagsForResource", "logs:PutRetentionPolicy", "logs:TagResource", "logs:UntagResource",
		}, Resource: iam.Strings{s.a.ARN("logs", "log-group:/aws/lambda/"+s.prefix()+"*")}},
	}
}

func (s scope) alertStatements() []iam.Statement {
	rules := s.everywhere("events", "rule/"+s.prefix()+"*")
	targets := iam.Strings{s.a.ARN("sns", s.prefix()+"*"), s.functions(), s.stateMachines()}
	if len(s.replicas) > 0 {
		// The replica regions' forwarders put on this region's bus.
		targets = append(targets, iam.DefaultEventBusARN(s.a))
	}
	configRules := iam.Strings{s.a.ARN("config", "config-rule/*")}
	return []iam.Statement{
		{Sid: "AlertTopicsOfTheEnvironment", Effect: iam.Allow, Action: iam.Strings{
			"sns:CreateTopic", "sns:DeleteTopic", "sns:GetSubscriptionAttributes", "sns:GetTopicAttributes",
			"sns:ListSubscriptionsByTopic", "sns:ListTagsForResource", "sns:SetSubscriptionAttributes", "sns:SetTopicAttributes",
			"sns:Subscribe", "sns:TagResource", "sns:Unsubscribe", "sns:UntagResource",
		}, Resource: iam.Strings{s.a.ARN("sns", s.prefix()+"*")}},
		{Sid: "DeadLetterQueuesOfTheEnvironment", Effect: iam.Allow, Action: iam.Strings{
			"sqs:CreateQueue", "sqs:DeleteQueue", "sqs:GetQueueAttributes", "sqs:ListQueueTags", "sqs:SetQueueAttributes",
			"sqs:TagQueue", "sqs:UntagQueue",
		}, Resource: iam.Strings{s.a.ARN("sqs", s.prefix()+"*")}},
		{Sid: "EventRulesOfTheEnvironment", Effect: iam.Allow, Action: iam.Strings{
			"events:DeleteRule", "events:DescribeRule", "events:ListTagsForResource", "events:ListTargetsByRule",
			"events:PutRule", "events:RemoveTargets", "events:TagResource", "events:UntagResource",
		}, Resource: rules},
		{Sid: "TargetsAreTheEnvironmentsTopicsAndFunctions", Effect: iam.Allow, Action: iam.Strings{"events:PutTargets"}, Resource: rules,
			// events:TargetArn lists every target of the call; an empty list
			// would satisfy ForAllValues alone.
			Condition: iam.Conditions{
				"ForAllValues:ArnLike": {"events:TargetArn": targets},
				"Null":                 {"events:TargetArn": {"false"}},
			}},
		{Sid: "AlarmsOfTheEnvironment", Effect: iam.Allow, Action: iam.Strings{
			"cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource",
			"cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:UntagResource",
		}, Resource: iam.Strings{s.a.ARN("cloudwatch", "alarm:"+s.prefix()+"*")}},
		// Config names rules by an id AWS assigns, so tags say which are ours.
		{Sid: "CreateConfigRulesTaggedAsTheStacks", Effect: iam.Allow, Action: iam.Strings{"config:PutConfigRule"}, Resource: configRules,
			Condition: iam.Conditions{"StringEquals": s.requestTags()}},
		{Sid: "ChangeOnlyTheStacksConfigRules", Effect: iam.Allow, Action: iam.Strings{
			"config:DeleteConfigRule", "config:PutConfigRule", "config:TagResource", "config:UntagResource",
		}, Resource: configRules, Condition: iam.Conditions{"StringEquals": s.resourceTags()}},
		{Sid: "ReadConfigRules", Effect: iam.Allow, Action: iam.Strings{"config:DescribeConfigRules", "config:ListTagsForResource"},
			Resource: iam.Strings{"*"}},
	}
}

func (s scope) networkStatements() []iam.Statement {
	mine := s.ec2("security-group", "subnet", "vpc", "vpc-endpoint")
	return []iam.Statement{
		// GetCallerIdentity needs no permission in AWS; it is listed so the
		// policy says everything the provider calls.
		{Sid: "DescribeWithoutResourceLevelPermissions", Effect: iam.Allow, Action: iam.Strings{
			"logs:DescribeLogGroups", "sts:GetCallerIdentity",
			// The lookups of an existing VPC and database (adopted, issue 14).
			"ec2:DescribeVpcAttribute", "rds:DescribeDBInstances", "rds:ListTagsForResource",
			"ec2:DescribeAvailabilityZones", "ec2:DescribeNetworkAcls", "ec2:DescribeNetworkInterfaces", "ec2:DescribeRouteTables",
			"ec2:DescribeSecurityGroupRules", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcEndpoints",
			"ec2:DescribeVpcs",
		}, Resource: iam.Strings{"*"}},
		{Sid: "CreateVpcsTaggedAsTheStacks", Effect: iam.Allow, Action: iam.Strings{"ec2:CreateVpc"}, Resource: s.ec2("vpc"),
			Condition: iam.Conditions{"StringEquals": s.requestTags()}},
		{Sid: "CreateSubnetsTaggedAsTheStacks", Effect: iam.Allow, Action: iam.Strings{"ec2:CreateSubnet"}, Resource: s.ec2("subnet"),
			Condition: iam.Conditions{"StringEquals": s.requestTags()}},
		{Sid: "CreateGroupsAndEndpointsTaggedAsTheStacks", Effect: iam.Allow,
			Action: iam.Strings{"ec2:CreateSecurityGroup", "ec2:CreateVpcEndpoint"}, Resource: s.ec2("security-group", "vpc-endpoint"),
			Condition: iam.Conditions{"StringEquals": s.requestTags()}},
		// A group or an endpoint may go into the existing VPC a stack names
		// (network.vpcId); it changes nothing that is there already.
		{Sid: "GroupsAndEndpointsInAnyVpcAndSubnet", Effect: iam.Allow,
			Action: iam.Strings{"ec2:CreateSecurityGroup", "ec2:CreateVpcEndpoint", "ec2:ModifyVpcEndpoint"}, Resource: s.ec2("subnet", "vpc")},
		{Sid: "TagOnlyWhatTheStackCreates", Effect: iam.Allow, Action: iam.Strings{"ec2:CreateTags"}, Resource: mine,
			Condition: iam.Conditions{"StringEquals": merge(s.requestTags(), map[string]iam.Strings{
				"ec2:CreateAction": {"CreateSecurityGroup", "CreateSubnet", "CreateVpc", "CreateVpcEndpoint"},
			})}},
		{Sid: "ChangeOnlyTheStacksNetworkResources", Effect: iam.Allow, Action: iam.Strings{
			"ec2:AuthorizeSecurityGroupEgress", "ec2:AuthorizeSecurityGroupIngress", "ec2:CreateSubnet", "ec2:CreateTags",
			"ec2:CreateVpcEndpoint", "ec2:DeleteSecurityGroup", "ec2:DeleteSubnet", "ec2:DeleteTags", "ec2:DeleteVpc",
			"ec2:DeleteVpcEndpoints", "ec2:DescribeVpcAttribute", "ec2:ModifySubnetAttribute", "ec2:ModifyVpcAttribute",
			"ec2:ModifyVpcEndpoint", "ec2:RevokeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress",
		}, Resource: mine, Condition: iam.Conditions{"StringEquals": s.resourceTags()}},
		// An interface endpoint with private DNS associates the VPC with a
		// private hosted zone that AWS owns.
		{Sid: "EndpointPrivateDNS", Effect: iam.Allow, Action: iam.Strings{"route53:AssociateVPCWithHostedZone"},
			Resource: iam.Strings{fmt.Sprintf("arn:%s:route53:::hostedzone/*", s.a.Partition)}},
	}
}

func (s scope) databaseStatements() []iam.Statement {
	db := s.a.ARN("rds", "db:"+s.prefix()+"*")
	groups := iam.Strings{s.a.ARN("rds", "pg:*"), s.a.ARN("rds", "subgrp:*")}
	return []iam.Statement{
		{Sid: "CreateTheEnvironmentsDatabaseTagged", Effect: iam.Allow, Action: iam.Strings{"rds:CreateDBInstance"}, Resource: iam.Strings{db},
			Condition: iam.Conditions{"StringEquals": s.requestTags()}},
		{Sid: "CreateParameterAndSubnetGroupsTagged", Effect: iam.Allow,
			Action: iam.Strings{"rds:CreateDBParameterGroup", "rds:CreateDBSubnetGroup"}, Resource: groups,
			Condition: iam.Conditions{"StringEquals": s.requestTags()}},
		// RDS authorises tags given to a create call as AddTagsToResource on
		// the new resource, which has no tags yet. The groups are named by
		// Pulumi after the database component (database-params-*,
		// database-subnets-*), so only such names may be tagged that way.
		{Sid: "TagWhatTheStackCreates", Effect: iam.Allow, Action: iam.Strings{"rds:AddTagsToResource"}, Resource: iam.Strings{
			db, s.a.ARN("rds", "pg:database-params-*"), s.a.ARN("rds", "subgrp:database-subnets-*"),
		}, Condition: iam.Conditions{"StringEquals": s.requestTags(), "Null": {"aws:ResourceTag/" + tagStack: {"true"}}}},
		{Sid: "ChangeOnlyTheStacksDatabaseResources", Effect: iam.Allow, Action: iam.Strings{
			"rds:AddTagsToResource", "rds:CreateDBInstance", "rds:CreateDBSnapshot", "rds:DeleteDBInstance",
			"rds:DeleteDBParameterGroup", "rds:DeleteDBSubnetGroup", "rds:ModifyDBInstance", "rds:ModifyDBParameterGroup",
			"rds:ModifyDBSubnetGroup", "rds:RemoveTagsFromResource", "rds:ResetDBParameterGroup",
		}, Resource: append(iam.Strings{db}, groups...), Condition: iam.Conditions{"StringEquals": s.resourceTags()}},
		{Sid: "FinalSnapshotsOfTheEnvironment", Effect: iam.Allow, Action: iam.Strings{"rds:CreateDBSnapshot"},
			Resource: iam.Strings{s.a.ARN("rds", "snapshot:"+s.prefix()+"*")}},
		{Sid: "ReadTheEnvironmentsDatabase", Effect: iam.Allow, Action: iam.Strings{
			"rds:DescribeDBInstances", "rds:DescribeDBParameterGroups", "rds:DescribeDBParameters", "rds:DescribeDBSubnetGroups",
			"rds:ListTagsForResource",
		}, Resource: append(iam.Strings{db}, groups...)},
	}
}

// denyStatements hold whatever another statement or a key policy allows.
func (s scope) denyStatements() []iam.Statement {
	return []iam.Statement{
		{Sid: "NeverARoleWithoutTheBoundary", Effect: iam.Deny,
			Action: iam.Strings{"iam:CreateRole", "iam:PutRolePermissionsBoundary"}, Resource: iam.Strings{"*"},
			Condition: iam.Conditions{"StringNotEquals": {"iam:PermissionsBoundary": {s.boundary}}}},
		// A trust policy's content has no condition key: a trust change is
		// break-glass (docs/bootstrap.md).
		{Sid: "NeverRemoveABoundaryOrChangeATrust", Effect: iam.Deny,
			Action: iam.Strings{"iam:DeleteRolePermissionsBoundary", "iam:UpdateAssumeRolePolicy"}, Resource: iam.Strings{"*"}},
		{Sid: "NeverEditTheBoundaryOrTheseRolesPolicies", Effect: iam.Deny, Action: iam.Strings{
			"iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion",
			"iam:TagPolicy", "iam:UntagPolicy",
		}, Resource: iam.Strings{s.boundary, s.a.GlobalARN("iam", "policy"+deployPolicyPath+"*")}},
		{Sid: "NeverUsersGroupsOrAccessKeys", Effect: iam.Deny, Action: iam.Strings{
			"iam:AddUserToGroup", "iam:AttachGroupPolicy", "iam:AttachUserPolicy", "iam:CreateAccessKey", "iam:CreateLoginProfile",
			"iam:CreateUser", "iam:PutGroupPolicy", "iam:PutUserPolicy", "iam:UpdateLoginProfile",
		}, Resource: iam.Strings{"*"}},
		{Sid: "NeverBypassTheKeyLockoutCheck", Effect: iam.Deny, Action: iam.Strings{"kms:CreateKey", "kms:PutKeyPolicy"},
			Resource: iam.Strings{"*"}, Condition: iam.Conditions{"Bool": {"kms:BypassPolicyLockoutSafetyCheck": {"true"}}}},
		{Sid: "KeyDeletionAndDisablingAreBreakGlass", Effect: iam.Deny, Action: iam.Strings{"kms:DisableKey", "kms:ScheduleKeyDeletion"},
			Resource: iam.Strings{"*"}},
		{Sid: "NeverOverwriteAnotherStacksConfigRule", Effect: iam.Deny, Action: iam.Strings{"config:PutConfigRule", "config:TagResource"},
			Resource: iam.Strings{"*"}, Condition: iam.Conditions{
				"StringNotEquals": {"aws:ResourceTag/" + tagStack: {s.stack}},
				"Null":            {"aws:ResourceTag/" + tagStack: {"false"}},
			}},
	}
}

// merge returns the union of two condition blocks.
func merge(a, b map[string]iam.Strings) map[string]iam.Strings {
	out := map[string]iam.Strings{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// deployPolicyPath is where the deploy role's own managed policies live:
// outside the stack's path, and denied to the deploy role for edits.
const deployPolicyPath = "/secrets-platform-deploy/"
