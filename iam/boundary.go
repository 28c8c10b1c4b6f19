package iam

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// The permissions boundary every role the program creates carries
// (SECURITY-RULES 18). The bootstrap creates it once per account and
// environment; the program names it by the same convention, so neither side
// spells the ARN itself, and the deploy role may create or change a role only
// when the role carries exactly this boundary.
const (
	// BoundaryPath is the IAM path of the boundary policies. It lies outside
	// StackPolicyPath, so the deploy role, which manages the customer-managed
	// policies under its stack's path, never reaches a boundary.
	BoundaryPath = "/secrets-platform-boundary/"
	// EncryptionContextFunctionARN is the encryption context key Lambda puts
	// on a function's environment variables.
	EncryptionContextFunctionARN = "kms:EncryptionContext:aws:lambda:FunctionArn"
)

// BoundaryName is the name of an environment's boundary policy: the
// environment itself, under BoundaryPath.
func BoundaryName(env string) string { return env }

// BoundaryARN is the ARN of the boundary of an environment in an account.
func BoundaryARN(a Account, env string) string {
	return a.GlobalARN("iam", "policy"+BoundaryPath+BoundaryName(env))
}

// RolePrefix is what the name of every role the program creates starts with.
func RolePrefix(env string) string { return env + "-" }

// StackPolicyPath is the IAM path of the customer-managed policies the
// program creates (the read policies of existing-role workloads); the deploy
// role manages customer-managed policies under this path only.
func StackPolicyPath(env string) string { return "/secrets-platform/" + env + "/" }

// StackPolicyARN is the ARN of a customer-managed policy the program creates.
func StackPolicyARN(a Account, env, name string) string {
	return a.GlobalARN("iam", "policy"+StackPolicyPath(env)+name)
}

// AttachableManagedPolicies are the only AWS-managed policies the program
// attaches to a role it creates, and so the only ones the deploy role may
// attach (iam:PolicyARN): Lambda's network interfaces for rotators in a VPC
// (rotation.VPCAccessPolicy) and ECS's image pulls and logs for task
// execution roles. The boundary allows what they grant.
func AttachableManagedPolicies(partition string) Strings {
	return Strings{
		AWSManagedPolicyARN(partition, "service-role/AWSLambdaVPCAccessExecutionRole"),
		AWSManagedPolicyARN(partition, ECSTaskExecutionPolicy),
	}
}

// BoundaryDeniedActions are denied to every bounded role whatever its own
// policies say: identity and permissions management, leaving the account,
// key and secret-policy management, and changing code that runs as a role.
// They are also outside the boundary's allow-list; the explicit deny says
// why and shows as an explicit denial in the simulator.
func BoundaryDeniedActions() Strings {
	return Strings{
		"iam:*", "sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity",
		"sts:GetFederationToken", "organizations:*", "account:*", "sso:*",
		"kms:CreateGrant", "kms:CreateKey", "kms:DisableKey", "kms:PutKeyPolicy", "kms:ReplicateKey",
		"kms:ScheduleKeyDeletion", "kms:UpdatePrimaryRegion",
		"secretsmanager:DeleteResourcePolicy", "secretsmanager:DeleteSecret", "secretsmanager:PutResourcePolicy",
		"secretsmanager:RotateSecret", "secretsmanager:UpdateSecret",
		"lambda:AddPermission", "lambda:CreateFunction", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
	}
}

// BoundaryPolicy is the permissions boundary of an environment: an
// allow-list of what the program's roles need, and nothing else.
//
//   - rotators and readers: this environment's secrets (and the database
//     master secrets RDS creates, named rds!...), the keys only through
//     Secrets Manager and only for those secrets' encryption context;
//   - rotators: their function's own environment (Lambda's encryption
//     context), their logs, X-Ray, and the network interfaces of a function
//     in a VPC (what AWSLambdaVPCAccessExecutionRole grants);
//   - ECS task execution roles: image pulls and log writes (what
//     AmazonECSTaskExecutionRolePolicy grants);
//   - redeployers (package redeploy): the rule's role starts the
//     environment's state machines, the state machine's role forces a new
//     deployment of an ECS service (each role's own policy names its one
//     state machine or service; ECS services carry no environment in their
//     names, so the boundary cannot);
//   - in each replica region (the stack's replicaRegions): readers read the
//     replicas there and decrypt with that region's keys through that
//     region's Secrets Manager only; rotators encrypt new versions for the
//     replicas there (kms:Encrypt, kms:GenerateDataKey, which Secrets
//     Manager's replication asks with the caller's rights); the alert
//     forwarder of a replica region puts events on the stack region's
//     default event bus.
//
// A bounded role's effective permissions are its own policies intersected
// with this document, so a role the deploy role writes a wider policy for
// still gets no more.
func BoundaryPolicy(a Account, env string, replicaRegions ...string) Document {
	secrets := a.ARN("secretsmanager", "secret:/"+env+"/*")
	masters := a.ARN("secretsmanager", "secret:rds!*")
	keys := a.ARN("kms", "key/*")
	stmts := []Statement{
		{Sid: "ThisEnvironmentsSecrets", Effect: Allow, Action: Strings{
			"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue",
			"secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage",
		}, Resource: Strings{secrets}},
		{Sid: "DatabaseMasterSecrets", Effect: Allow,
			Action:   Strings{"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"},
			Resource: Strings{masters}},
		{Sid: "KeysOnlyThroughSecretsManagerForThoseSecrets", Effect: Allow,
			Action:   Strings{"kms:Decrypt", "kms:GenerateDataKey"},
			Resource: Strings{keys},
			Condition: Conditions{
				"StringEquals": {"kms:ViaService": {a.ViaSecretsManager()}},
				"StringLike":   {EncryptionContextSecretARN: {secrets, masters}},
			}},
		{Sid: "OwnFunctionEnvironment", Effect: Allow,
			Action:    Strings{"kms:Decrypt"},
			Resource:  Strings{keys},
			Condition: Conditions{"StringLike": {EncryptionContextFunctionARN: {a.ARN("lambda", "function:"+RolePrefix(env)+"*")}}}},
		{Sid: "WriteLogs", Effect: Allow,
			Action:   Strings{"logs:CreateLogStream", "logs:PutLogEvents"},
			Resource: Strings{a.ARN("logs", "log-group:*")}},
		{Sid: "StartTheEnvironmentsStateMachines", Effect: Allow,
			Action:   Strings{"states:StartExecution"},
			Resource: Strings{a.ARN("states", "stateMachine:"+RolePrefix(env)+"*")}},
		{Sid: "RedeployECSServices", Effect: Allow,
			Action:   Strings{"ecs:UpdateService"},
			Resource: Strings{a.ARN("ecs", "service/*")}},
		// X-Ray, network interfaces and ECR's token have no resource-level
		// permissions; image layers are read from whichever repository the
		// task definition names.
		{Sid: "TracesNetworkInterfacesAndImages", Effect: Allow, Action: Strings{
			"ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
			"ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:UnassignPrivateIpAddresses",
			"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetAuthorizationToken", "ecr:GetDownloadUrlForLayer",
			"xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTelemetryRecords", "xray:PutTraceSegments",
		}, Resource: Strings{"*"}},
	}
	stmts = append(stmts, replicaStatements(a, env, replicaRegions)...)
	return New(append(stmts, Statement{Sid: "NeverPermissionsKeysOrCode", Effect: Deny, Action: BoundaryDeniedActions(), Resource: Strings{"*"}})...)
}

// replicaStatements are the boundary's grants in replica regions, each
// region's keys through that region's Secrets Manager only.
func replicaStatements(a Account, env string, regions []string) []Statement {
	if len(regions) == 0 {
		return nil
	}
	var out []Statement
	for _, r := range slices.Sorted(slices.Values(regions)) {
		ra := a.InRegion(r)
		replicas := ra.ARN("secretsmanager", "secret:/"+env+"/*")
		out = append(out,
			Statement{Sid: "ReplicasOfThisEnvironmentsSecretsIn" + RegionSid(r), Effect: Allow,
				Action:   Strings{"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"},
				Resource: Strings{replicas}},
			Statement{Sid: "KeysOnlyThroughSecretsManagerIn" + RegionSid(r), Effect: Allow,
				Action:   Strings{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"},
				Resource: Strings{ra.ARN("kms", "key/*")},
				Condition: Conditions{
					"StringEquals": {"kms:ViaService": {ra.ViaSecretsManager()}},
					"StringLike":   {EncryptionContextSecretARN: {replicas}},
				}})
	}
	return append(out, Statement{Sid: "ForwardAlertsToTheStacksRegion", Effect: Allow,
		Action: Strings{"events:PutEvents"}, Resource: Strings{DefaultEventBusARN(a)}})
}

// DefaultEventBusARN is the account's default event bus in the account's
// region: the alert rules of the stack listen there, and the forwarders of
// the replica regions put their events there.
func DefaultEventBusARN(a Account) string { return a.ARN("events", "event-bus/default") }

// EventRuleARN is a rule's ARN on the default event bus of the account's
// region.
func EventRuleARN(a Account, name string) string { return a.ARN("events", "rule/"+name) }

// ManagedPolicyMaxChars is IAM's limit on a managed policy, counted without
// whitespace (AWS IAM quotas page); the boundary must fit.
const ManagedPolicyMaxChars = 6144

// CheckBoundaryARN reports an ARN that is not the boundary of env in a.
func CheckBoundaryARN(a Account, env, arn string) error {
	if want := BoundaryARN(a, env); arn != want {
		return fmt.Errorf("permissions boundary %q: want %s", arn, want)
	}
	return nil
}

// CompactLen is the length of a document's JSON without whitespace, the
// size IAM's quotas count.
func CompactLen(d Document) (int, error) {
	s, err := d.JSON()
	if err != nil {
		return 0, err
	}
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		return 0, fmt.Errorf("compact policy: %w", err)
	}
	return b.Len(), nil
}
