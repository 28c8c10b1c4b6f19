// Package quota holds the AWS limits a stack meets first, with their sources.
//
// Beside each account quota is the share of it one stack may use.
//
// AWS refuses a deploy that exceeds one of these; the program refuses the
// config first (SECURITY-RULES 20), naming the key. Sizes count JSON without
// whitespace, as AWS does. The values were read on 2026-12-04 from the pages
// each constant names; a quota an account raised is not known here, so the
// budgets stay well under AWS's defaults.
package quota

// AWS's limits on one policy or setting.
const (
	// InlinePoliciesPerRole is the aggregate size of a role's inline
	// policies. Source: IAM User Guide, "IAM and AWS STS quotas" (role policy
	// size 10,240 characters).
	InlinePoliciesPerRole = 10240
	// ManagedPolicy is the size of one customer-managed policy. Source: IAM
	// quotas page (managed policy size 6,144 characters).
	ManagedPolicy = 6144
	// ManagedPoliciesPerRole is how many managed policies a role may carry.
	// Source: IAM quotas page (default 10).
	ManagedPoliciesPerRole = 10
	// TrustPolicy is the size of a role's trust policy. Source: IAM quotas
	// page (role trust policy length 2,048 characters).
	TrustPolicy = 2048
	// KeyPolicy is the size of a KMS key policy. Source: AWS KMS Developer
	// Guide, "Quotas" (key policy document size 32 KB).
	KeyPolicy = 32768
	// SecretResourcePolicy is the size of a secret's resource policy.
	// Source: Secrets Manager User Guide, "Secrets Manager quotas" (resource
	// policy 20,480 characters).
	SecretResourcePolicy = 20480
	// FunctionEnvironment is the size of a Lambda function's environment
	// variables. Source: Lambda Developer Guide, "Lambda quotas" (4 KB).
	FunctionEnvironment = 4096
	// FunctionPolicy is the size of a Lambda function's resource-based
	// policy. Source: Lambda quotas page (20 KB).
	FunctionPolicy = 20480
	// TargetsPerRule is how many targets an EventBridge rule may have.
	// Source: EventBridge User Guide, "Amazon EventBridge quotas" (5).
	TargetsPerRule = 5
	// EventPattern is the size of an EventBridge rule's event pattern.
	// Source: EventBridge quotas page (event pattern, 2,048 characters).
	EventPattern = 2048
	// QueuePolicy is the size of an SQS queue policy. Source: Amazon SQS
	// Developer Guide, "Amazon SQS policy quotas" (8,192 bytes).
	QueuePolicy = 8192
	// TargetInput is the size of a target's constant input. Source:
	// EventBridge PutTargets API reference (Input, up to 8,192 characters).
	TargetInput = 8192
)

// An account's quotas, and the share one stack may use of them: the account
// also runs other things, and a second stack of this program may share it.
const (
	// IAMRolesPerAccount: IAM quotas page (roles per account, default 1,000).
	IAMRolesPerAccount = 1000
	// RolesPerStack is this program's budget of IAM roles per stack.
	RolesPerStack = 500
	// ConcurrencyPerAccount: Lambda quotas page (concurrent executions,
	// default 1,000, of which 100 must stay unreserved).
	ConcurrencyPerAccount = 1000
	// ReservedConcurrencyPerStack is this program's budget of reserved
	// Lambda concurrency per stack.
	ReservedConcurrencyPerStack = 100
	// RulesPerEventBus: EventBridge quotas page (rules per event bus, 300).
	RulesPerEventBus = 300
	// RulesPerStack is this program's budget of rules on the default event
	// bus per stack: alerts, grace sweeps and redeploy rules together.
	RulesPerStack = 100
	// ManagedPoliciesPerAccount: IAM quotas page (customer managed policies
	// per account, default 1,500).
	ManagedPoliciesPerAccount = 1500
	// ManagedPoliciesPerStack is this program's budget of customer managed
	// policies per stack: the read policies of existing roles.
	ManagedPoliciesPerStack = 500
)
