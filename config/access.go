package config

// WorkloadType says what kind of role a workload reads secrets with.
type WorkloadType string

const (
	// ECS creates a task role (SDK reads at run time) and, when the workload
	// injects secrets at start, a task execution role.
	ECS WorkloadType = "ecs"
	// Lambda creates a function execution role that writes its function's
	// log group.
	Lambda WorkloadType = "lambda"
	// EKS creates a role EKS Pod Identity gives to one Kubernetes service
	// account of one cluster.
	EKS WorkloadType = "eks"
	// ExistingRole attaches the read policy to a role made elsewhere.
	ExistingRole WorkloadType = "role"
)

// Workload is a service that reads secrets.
type Workload struct {
	// Key is where the entry is in config, for messages (see Secret.Key).
	Key  string
	Name string
	Type WorkloadType
	// RoleARN is the existing role (type role only).
	RoleARN string
	// Secrets are the full names it may read at run time.
	Secrets []string
	// InjectAtStart are the secrets ECS injects as environment variables at
	// task start (read by the execution role); a subset of Secrets.
	InjectAtStart []string
	// VersionStage, when set, limits reads to that stage (e.g. AWSCURRENT).
	VersionStage string
	// FunctionName is the Lambda function (type lambda), {env}-{name} by
	// default: its role writes /aws/lambda/{FunctionName} and no other log group.
	FunctionName string
	// Architecture is the function's instruction set (type lambda), which
	// picks the extension's layer.
	Architecture string
	// ECSService is the service a rotation of an injected secret redeploys
	// (type ecs); nil when none.
	ECSService *ECSService
	// ServiceAccount is who gets the role through EKS Pod Identity (type eks).
	ServiceAccount *ServiceAccount
	// Regions are where the workload runs (default the stack's region): in
	// each it reads the copy of a secret there, the primary where the secret
	// has none.
	Regions []string
}

// ExternalPrincipal is a role in another account that reads shared secrets.
type ExternalPrincipal struct {
	Name string
	// AccountID is the other account.
	AccountID string
	// RoleName is the role in that account; the principal is
	// arn:{partition}:iam::{AccountID}:role/{RoleName}.
	RoleName string
	// OrgID, when set, adds an aws:PrincipalOrgID condition.
	OrgID string
	// Secrets are the full names shared with it.
	Secrets []string
	// DeployRoleARN, when set, is assumed to deploy the consumer-side policy
	// into the other account.
	DeployRoleARN string
	// Regions are where the principal reads (default the stack's region): in
	// each it reads the copy of a shared secret there, the primary where the
	// secret has none (decision D14).
	Regions []string
}
