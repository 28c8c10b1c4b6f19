package iam

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	awsiam "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// WorkloadKind says which role a workload reads secrets with.
type WorkloadKind string

const (
	// WorkloadECS gets a task role (SDK reads at run time) and, when it injects
	// secrets at task start, a task execution role that reads only those.
	WorkloadECS WorkloadKind = "ecs"
	// WorkloadLambda gets a function execution role that writes the
	// function's own log group (which the program creates) and no other.
	WorkloadLambda WorkloadKind = "lambda"
	// WorkloadEKS gets a role EKS Pod Identity hands to one Kubernetes
	// service account, and the Pod Identity association that does it.
	WorkloadEKS WorkloadKind = "eks"
	// WorkloadExistingRole is a role made elsewhere. The stack never changes
	// it: it creates a customer-managed read policy under StackPolicyPath
	// and hands the role's owner the command that attaches it.
	WorkloadExistingRole WorkloadKind = "role"
)

// ECSTaskExecutionPolicy is AWS's managed policy that lets ECS pull images and
// write logs; the execution role needs it whatever it reads.
const ECSTaskExecutionPolicy = "service-role/AmazonECSTaskExecutionRolePolicy"

// WorkloadArgs configures one workload's read access.
type WorkloadArgs struct {
	// Kind is ecs, lambda or role. Required.
	Kind WorkloadKind
	// Environment is the stack's environment: every role made here is named
	// with RolePrefix(Environment), and an existing role's read policy lives
	// under StackPolicyPath(Environment), where the deploy role may manage
	// it. Required.
	Environment string
	// RoleName names the roles made here ({RoleName}-task, -execution,
	// -lambda) and the read policies ({RoleName}-read-secrets), so two stacks
	// reading with one existing role have a policy each. It starts with
	// RolePrefix(Environment) and is at most 54 characters. Required.
	RoleName string
	// PermissionsBoundaryArn is the boundary every role made here carries
	// (BoundaryARN); the deploy role can create no role without it. Required.
	PermissionsBoundaryArn string
	// ExistingRoleARN is the role the read policy is for. Required for kind
	// role, and must be in Account; refused for the other kinds.
	ExistingRoleARN string
	// SecretArns are the exact ARNs of the primaries the workload reads.
	// Required unless Replicas names what it reads.
	SecretArns pulumi.StringArrayInput
	// Replicas are what the workload reads in replica regions, where it runs
	// (config workloads[].regions). Optional.
	Replicas []WorkloadReplica
	// Regions are where the workload's tasks run (kind ecs): their task
	// roles trust ECS of these regions. Optional: the account's region.
	Regions []string
	// InjectAtStartArns are the secrets ECS injects as environment variables
	// at task start, a subset of SecretArns. Optional (ecs only); the
	// execution role is made only when it is set.
	InjectAtStartArns pulumi.StringArrayInput
	// InjectAtStartReplicas are the injected secrets' replicas in the
	// replica regions the tasks run in. Optional (ecs only).
	InjectAtStartReplicas []WorkloadReplica
	// KeyArn is the customer-managed key of the secrets. Required.
	KeyArn pulumi.StringInput
	// OtherKeyArns are the keys of the secrets among SecretArns that the
	// stack does not own (external secrets). Optional.
	OtherKeyArns []string
	// Account places the roles. Required.
	Account Account
	// VersionStage limits GetSecretValue to one staging label. Optional.
	// IAM compares it with the VersionStage the request names, so a caller
	// that names none is denied: the workload's client must always name the
	// stage (secretcache does), and an ECS valueFrom must end in the stage.
	VersionStage string
	// Tags are added to the roles made here. Optional.
	Tags map[string]string

	// FunctionName is the Lambda function whose role this is; its log group
	// /aws/lambda/{FunctionName} is created here and is the only one the role
	// writes. It starts with RolePrefix(Environment). Required for kind
	// lambda, refused for the others.
	FunctionName string
	// LogRetentionDays and LogKeyArn are the function log group's retention
	// and KMS key (the platform key). Required for kind lambda.
	LogRetentionDays int
	LogKeyArn        pulumi.StringInput
	// NetworkInterfaces lets the function run in a VPC (it reads the
	// database secret and must reach the database). Optional, kind lambda.
	NetworkInterfaces bool
	// ServiceAccount is the Kubernetes service account the role is for.
	// Required for kind eks, refused for the others.
	ServiceAccount *ServiceAccount
}

// WorkloadReplica is what a workload reads in one replica region.
type WorkloadReplica struct {
	// Region is the replica region. Required.
	Region string
	// KeyArn is the region's customer-managed key of the replicas. Required.
	KeyArn pulumi.StringInput
	// SecretArns are the replica ARNs the workload reads there. Required.
	SecretArns pulumi.StringArrayInput
}

// Workload is the set of roles one workload reads secrets with.
type Workload struct {
	pulumi.ResourceState

	// RoleArn is the role the workload's code runs as (ECS task role, Lambda
	// execution role, or the existing role).
	RoleArn pulumi.StringOutput `pulumi:"roleArn"`
	// ExecutionRoleArn is the ECS task execution role; "" when none is made.
	ExecutionRoleArn pulumi.StringOutput `pulumi:"executionRoleArn"`
	// ReadPolicyArn is the customer-managed read policy of an existing role;
	// "" for the other kinds, whose roles carry their policy inline.
	ReadPolicyArn pulumi.StringOutput `pulumi:"readPolicyArn"`
	// AttachCommand is what the existing role's owner runs, once, to attach
	// ReadPolicyArn; "" for the other kinds.
	AttachCommand pulumi.StringOutput `pulumi:"attachCommand"`
	// SecretArns are the secrets the workload may read: the primaries, then
	// the replicas.
	SecretArns pulumi.StringArrayOutput `pulumi:"secretArns"`
	// LogGroupName is a lambda workload's log group; "" for the other kinds.
	LogGroupName pulumi.StringOutput `pulumi:"logGroupName"`
	// PodIdentityAssociationArn is an eks workload's association; "" for the
	// other kinds.
	PodIdentityAssociationArn pulumi.StringOutput `pulumi:"podIdentityAssociationArn"`
}

// NewWorkload registers a workload's roles and their read policies.
func NewWorkload(ctx *pulumi.Context, name string, args *WorkloadArgs, opts ...pulumi.ResourceOption) (*Workload, error) {
	if args == nil {
		return nil, errors.New("new workload: args are required")
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("new workload %s: %w", name, err)
	}
	w := &Workload{}
	if err := ctx.RegisterComponentResource("secrets-platform:iam:Workload", name, w, opts...); err != nil {
		return nil, fmt.Errorf("register workload %s: %w", name, err)
	}
	w.SecretArns = readableArns(args.SecretArns, args.Replicas)
	w.ExecutionRoleArn = pulumi.String("").ToStringOutput()
	w.ReadPolicyArn = pulumi.String("").ToStringOutput()
	w.AttachCommand = pulumi.String("").ToStringOutput()
	w.LogGroupName = pulumi.String("").ToStringOutput()
	w.PodIdentityAssociationArn = pulumi.String("").ToStringOutput()
	tags := pulumi.ToStringMap(args.Tags)

	var err error
	switch args.Kind {
	case WorkloadECS:
		var task *awsiam.Role
		task, err = w.role(ctx, name+"-task", args.RoleName+"-task", ECSTaskTrust(args.Account, args.Regions...), args, tags)
		if err == nil {
			w.RoleArn = task.Arn
			err = w.readPolicy(ctx, name+"-task-read", task.Name, args.SecretArns, args.Replicas, args)
		}
		if err == nil && args.InjectAtStartArns != nil {
			err = w.executionRole(ctx, name, args, tags)
		}
	case WorkloadLambda:
		var fn *awsiam.Role
		fn, err = w.role(ctx, name+"-lambda", args.RoleName+"-lambda", LambdaTrust(args.Account.ID), args, tags)
		if err == nil {
			w.RoleArn = fn.Arn
			err = w.readPolicy(ctx, name+"-lambda-read", fn.Name, args.SecretArns, args.Replicas, args)
		}
		if err == nil {
			err = w.functionLogs(ctx, name, fn.Name, args, tags)
		}
	case WorkloadEKS:
		sa := *args.ServiceAccount
		var pod *awsiam.Role
		pod, err = w.role(ctx, name+"-pod", args.RoleName+"-pod", EKSPodIdentityTrust(args.Account, sa.Cluster, sa.Namespace, sa.Name), args, tags)
		if err == nil {
			w.RoleArn = pod.Arn
			err = w.readPolicy(ctx, name+"-pod-read", pod.Name, args.SecretArns, args.Replicas, args)
		}
		if err == nil {
			err = w.podIdentity(ctx, name, pod.Arn, sa, tags)
		}
	case WorkloadExistingRole:
		w.RoleArn = pulumi.String(args.ExistingRoleARN).ToStringOutput()
		err = w.managedReadPolicy(ctx, name+"-read", args, tags)
	}
	if err != nil {
		return nil, fmt.Errorf("new workload %s: %w", name, err)
	}
	if err := ctx.RegisterResourceOutputs(w, pulumi.Map{
		"roleArn": w.RoleArn, "executionRoleArn": w.ExecutionRoleArn, "secretArns": w.SecretArns,
		"readPolicyArn": w.ReadPolicyArn, "attachCommand": w.AttachCommand,
		"logGroupName": w.LogGroupName, "podIdentityAssociationArn": w.PodIdentityAssociationArn,
	}); err != nil {
		return nil, fmt.Errorf("register workload outputs %s: %w", name, err)
	}
	return w, nil
}

// Validate reports args that NewWorkload would refuse, so a caller can
// refuse a whole stack before registering anything.
func (a *WorkloadArgs) Validate() error {
	if (a.SecretArns == nil && len(a.Replicas) == 0) || a.KeyArn == nil {
		return errors.New("SecretArns (or Replicas) and KeyArn are required")
	}
	for _, r := range slices.Concat(a.Replicas, a.InjectAtStartReplicas) {
		if r.Region == "" || r.Region == a.Account.Region || r.KeyArn == nil || r.SecretArns == nil {
			return fmt.Errorf("replica read in %q: want a region other than the account's, with its key and ARNs", r.Region)
		}
	}
	if err := a.Account.Validate(); err != nil {
		return err
	}
	if a.Environment == "" {
		return errors.New("Environment is required")
	}
	if !strings.HasPrefix(a.RoleName, RolePrefix(a.Environment)) || len(a.RoleName) > 54 {
		return fmt.Errorf("RoleName %q: want at most 54 characters starting with %q (role names are at most 64, and the deploy role manages only the environment's roles)", a.RoleName, RolePrefix(a.Environment))
	}
	if err := CheckBoundaryARN(a.Account, a.Environment, a.PermissionsBoundaryArn); err != nil {
		return err
	}
	switch a.Kind {
	case WorkloadECS, WorkloadLambda, WorkloadEKS:
		if a.ExistingRoleARN != "" {
			return fmt.Errorf("ExistingRoleARN is only for kind %s", WorkloadExistingRole)
		}
	case WorkloadExistingRole:
		// A managed policy can only be attached to a role of the deploying
		// account; a role elsewhere is a cross-account principal, not a workload.
		if acct := AccountOf(a.ExistingRoleARN); acct != a.Account.ID {
			return fmt.Errorf("ExistingRoleARN %q: want a role in account %s, got account %q", a.ExistingRoleARN, a.Account.ID, acct)
		}
	default:
		return fmt.Errorf("kind %q: want %s, %s, %s or %s", a.Kind, WorkloadECS, WorkloadLambda, WorkloadEKS, WorkloadExistingRole)
	}
	if a.InjectAtStartArns != nil && a.Kind != WorkloadECS {
		return fmt.Errorf("InjectAtStartArns is only for kind %s", WorkloadECS)
	}
	return a.validateKind()
}

// role registers one of the workload's roles, always with the boundary.
func (w *Workload) role(ctx *pulumi.Context, name, roleName string, trust Document, args *WorkloadArgs, tags pulumi.StringMap) (*awsiam.Role, error) {
	doc, err := trust.JSON()
	if err != nil {
		return nil, err
	}
	r, err := awsiam.NewRole(ctx, name, &awsiam.RoleArgs{
		Name:             pulumi.String(roleName),
		Description:      pulumi.String("Reads the secrets its workload is granted; managed by secrets-platform"),
		AssumeRolePolicy: pulumi.String(doc),
		// No session is ever needed beyond an hour for a service role.
		MaxSessionDuration:  pulumi.Int(3600),
		PermissionsBoundary: pulumi.String(args.PermissionsBoundaryArn),
		Tags:                tags,
	}, pulumi.Parent(w))
	if err != nil {
		return nil, fmt.Errorf("create role %s: %w", roleName, err)
	}
	return r, nil
}

// executionRole is the ECS task execution role: AWS's managed policy to pull
// images and write logs, and read access to the injected secrets only, so a
// secret the task reads at run time never passes through ECS.
func (w *Workload) executionRole(ctx *pulumi.Context, name string, args *WorkloadArgs, tags pulumi.StringMap) error {
	exec, err := w.role(ctx, name+"-execution", args.RoleName+"-execution", ECSTaskTrust(args.Account, args.Regions...), args, tags)
	if err != nil {
		return err
	}
	w.ExecutionRoleArn = exec.Arn
	if _, err := awsiam.NewRolePolicyAttachment(ctx, name+"-execution-managed", &awsiam.RolePolicyAttachmentArgs{
		Role:      exec.Name,
		PolicyArn: pulumi.String(AWSManagedPolicyARN(args.Account.Partition, ECSTaskExecutionPolicy)),
	}, pulumi.Parent(w)); err != nil {
		return fmt.Errorf("attach the ECS task execution policy: %w", err)
	}
	return w.readPolicy(ctx, name+"-execution-read", exec.Name, args.InjectAtStartArns, args.InjectAtStartReplicas, args)
}

// readPolicy puts the reader policy inline on a role made here: inline, so
// it lives and dies with the role and no other role can be attached to it by
// mistake.
func (w *Workload) readPolicy(ctx *pulumi.Context, name string, role pulumi.StringInput, arns pulumi.StringArrayInput, replicas []WorkloadReplica, args *WorkloadArgs) error {
	if _, err := awsiam.NewRolePolicy(ctx, name, &awsiam.RolePolicyArgs{
		Role:   role,
		Name:   pulumi.String(args.RoleName + "-read-secrets"),
		Policy: readerJSON(arns, replicas, args),
	}, pulumi.Parent(w)); err != nil {
		return fmt.Errorf("create read policy %s: %w", name, err)
	}
	return nil
}

// managedReadPolicy is the read policy of a role the stack does not own: a
// customer-managed policy under the stack's path, attached by the role's
// owner, so the deploy role never needs a right on a role outside its
// environment and never changes one.
func (w *Workload) managedReadPolicy(ctx *pulumi.Context, name string, args *WorkloadArgs, tags pulumi.StringMap) error {
	pol, err := awsiam.NewPolicy(ctx, name, &awsiam.PolicyArgs{
		Name:        pulumi.String(args.RoleName + "-read-secrets"),
		Path:        pulumi.String(StackPolicyPath(args.Environment)),
		Description: pulumi.Sprintf("Reads the secrets workload %s is granted; attach it to %s (managed by secrets-platform)", args.RoleName, args.ExistingRoleARN),
		Policy:      readerJSON(args.SecretArns, args.Replicas, args),
		Tags:        tags,
	}, pulumi.Parent(w))
	if err != nil {
		return fmt.Errorf("create read policy %s: %w", name, err)
	}
	w.ReadPolicyArn = pol.Arn
	w.AttachCommand = pol.Arn.ApplyT(func(arn string) string {
		return AttachCommand(args.ExistingRoleARN, arn)
	}).(pulumi.StringOutput)
	return nil
}

// AttachCommand is the command an existing role's owner runs to attach a
// read policy (IAM addresses the role by name, without its path).
func AttachCommand(roleARN, policyARN string) string {
	return fmt.Sprintf("aws iam attach-role-policy --role-name %s --policy-arn %s", roleARN[strings.LastIndex(roleARN, "/")+1:], policyARN)
}

// readerJSON is the reader policy of arns and replicas, once they are known.
func readerJSON(arns pulumi.StringArrayInput, replicas []WorkloadReplica, args *WorkloadArgs) pulumi.StringOutput {
	inputs := []any{orNone(arns), args.KeyArn}
	for _, r := range replicas {
		inputs = append(inputs, r.KeyArn, r.SecretArns)
	}
	return pulumi.All(inputs...).ApplyT(func(xs []any) (string, error) {
		ra := ReaderArgs{
			SecretARNs: xs[0].([]string), KeyARN: xs[1].(string), OtherKeyARNs: args.OtherKeyArns,
			Account: args.Account, VersionStage: args.VersionStage,
		}
		for i, r := range replicas {
			ra.Replicas = append(ra.Replicas, ReplicaRead{Region: r.Region, KeyARN: xs[2+2*i].(string), SecretARNs: xs[3+2*i].([]string)})
		}
		doc, err := ReaderPolicy(ra)
		if err != nil {
			return "", err
		}
		return doc.JSON()
	}).(pulumi.StringOutput)
}

// readableArns are every ARN a workload may read: the primaries, then the
// replicas in region order.
func readableArns(arns pulumi.StringArrayInput, replicas []WorkloadReplica) pulumi.StringArrayOutput {
	inputs := []any{orNone(arns)}
	for _, r := range replicas {
		inputs = append(inputs, r.SecretArns)
	}
	return pulumi.All(inputs...).ApplyT(func(xs []any) []string {
		var out []string
		for _, x := range xs {
			out = append(out, x.([]string)...)
		}
		return out
	}).(pulumi.StringArrayOutput)
}

// orNone is an absent list of ARNs as an empty one.
func orNone(arns pulumi.StringArrayInput) pulumi.StringArrayInput {
	if arns == nil {
		return pulumi.StringArray{}
	}
	return arns
}
