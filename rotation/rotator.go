package rotation

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	awsiam "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/rotation/artifact"
	"github.com/acme/secrets-platform/rotator/contract"
)

// Function settings of every Go rotator.
const (
	// Runtime and Architecture: the OS-only runtime runs the static bootstrap;
	// arm64 is cheaper per millisecond than x86-64.
	Runtime      = "provided.al2023"
	Architecture = "arm64"
	// ReservedConcurrency caps each rotator: Secrets Manager runs one step at
	// a time per secret and the group's windows are staggered by the hour, the
	// second slot lets a grace sweep or a second secret's step overlap, and a
	// runaway caller cannot exhaust the account's concurrency.
	ReservedConcurrency = 2
	// TimeoutSeconds bounds one step; a step is a few API calls and, for
	// databases, one or two logins with a 5 s connect timeout each.
	TimeoutSeconds = 30
	// SweepSecondsPerSecret is what a grace sweep may spend on one secret
	// of its group: a few Secrets Manager calls and the provider's revoke,
	// whose HTTP client gives up after 10 s (cmd/rotator). The sweep visits
	// the group's secrets one after another.
	SweepSecondsPerSecret = 12
	// MaxTimeoutSeconds is Lambda's longest timeout (Lambda quotas page);
	// Measure refuses a key rotator's shard whose sweep would need more.
	MaxTimeoutSeconds = 900
	// MemoryMB is the smallest size; the rotator is network-bound.
	MemoryMB = 128
	// SweepSchedule is how often the grace sweeper looks for expired keys. It
	// must be well under the shortest grace period (cache bound ~20 min).
	SweepSchedule = "rate(15 minutes)"
	// SweepRetrySeconds is how long EventBridge retries starting a sweep
	// before it dead-letters the event: one schedule period, after which
	// the next sweep supersedes it.
	SweepRetrySeconds = 900
	// LogRetentionStrictDays and LogRetentionDisposableDays keep rotation logs
	// a year in strict stacks (audits ask about the last rotations) and a
	// month where data is disposable.
	LogRetentionStrictDays     = 365
	LogRetentionDisposableDays = 30
)

// Network is where a rotator that reaches the database runs.
type Network struct {
	// SubnetIDs are the database's private subnets. Required.
	SubnetIDs pulumi.StringArrayInput
	// SecurityGroupID is the rotator group, the one the database admits. Required.
	SecurityGroupID pulumi.StringInput
	// Ready are what the subnets need before a rotation can work from them:
	// the Secrets Manager endpoint and the security-group rules of the
	// rotator's paths (database.Database.Ready). The function and the
	// rotation DependsOn them, so the first rotation, which runs during
	// `pulumi up`, does not race its own network. Optional: nil adds no
	// dependency.
	Ready []pulumi.Resource
	// DatabaseHost and DatabasePort are the instance's address and port,
	// the one server the rotator may send a credential to (decision D6).
	// Required.
	DatabaseHost pulumi.StringInput
	DatabasePort pulumi.IntInput
	// SecretsManagerEndpoint is the endpoint URL the rotator must use where
	// the VPC endpoint has no private DNS (database.Database's
	// SecretsManagerEndpointURL). Optional: "" keeps the SDK's default.
	SecretsManagerEndpoint pulumi.StringInput
}

// Target is one secret a rotator serves.
type Target struct {
	// Arn is the secret's ARN. Required.
	Arn pulumi.StringOutput
	// Parent is the catalog's component of the secret; the rotation and its
	// schedule slot are its children, named after it, so a secret keeps them
	// when it moves to another group (only their function changes). Required.
	Parent pulumi.Resource
	// ParentName is Parent's logical name. Required.
	ParentName string
	// DependsOn is what the rotation waits for besides the function: the
	// secret's first version. Optional.
	DependsOn []pulumi.Resource
	// Slot is the secret's place among the stack's rotated secrets when it
	// is first deployed; it staggers the rotation window (Schedule) and is
	// kept in state for the secret's life (see newScheduleSlot).
	Slot int
	// AwaitingPrerequisite names what an operator has not done yet (a value
	// to put, or a change to another owner's resource); while it is set the
	// function serves the secret but no rotation is deployed, so nothing
	// fails on a new stack's first day.
	AwaitingPrerequisite string
}

// RotatorArgs configures the Go rotator of one group of secrets (decision D1).
type RotatorArgs struct {
	// Group is the secrets and their shared settings. Required.
	Group Group
	// Targets are the group's secrets by name. Required: one per member.
	Targets map[string]Target
	// Environment prefixes the function name, which keeps the log group inside
	// the platform key's logs grant (/aws/lambda/{env}-*). Required.
	Environment string
	// Account builds ARNs and conditions. Required.
	Account iam.Account
	// Strict keeps logs 365 days instead of 30.
	Strict bool
	// Code is the packaged rotator (artifact.Build). Required.
	Code artifact.Artifact
	// SecretsKeyArn encrypts every secret. Required.
	SecretsKeyArn pulumi.StringInput
	// ReplicaKeyArns are, by region, the stack's keys of the replica
	// regions; required for each region a secret of the group replicates
	// to, whose key the rotator's puts are re-encrypted with there.
	ReplicaKeyArns map[string]pulumi.StringInput
	// PlatformKeyArn encrypts the environment and the log group. Required.
	PlatformKeyArn pulumi.StringInput
	// AdminSecretArn is the provider credential (http, twilio). Required for those.
	AdminSecretArn pulumi.StringInput
	// MasterSecretArn is the RDS master secret (postgres strategies). Required for those.
	MasterSecretArn pulumi.StringInput
	// Network places a postgres rotator next to the database. Required for those.
	Network *Network
	// DatabaseGrants are granted to roles the postgres strategies create.
	DatabaseGrants []string
	// PermissionsBoundaryArn is the boundary the execution role carries
	// (iam.BoundaryARN of Account and Environment); the deploy role can
	// create no role without it. Required.
	PermissionsBoundaryArn string
	// DeadLetterArn is the stack's dead-letter queue
	// (alerts.DeadLetterQueueARN), which keeps a sweep EventBridge could not
	// start. Required for strategies with a grace sweep (http, twilio).
	DeadLetterArn string
	// Tags are applied to every resource.
	Tags map[string]string
}

// Rotator is the Go rotation Lambda of one group of secrets: one function,
// role, log group and alarm pair serve secrets that share a strategy and
// every setting (decision D1). The role lists exactly the group's secrets,
// so no rotator reaches another group's, and a group is cut into shards
// that fit IAM's and Lambda's policy limits (Groups, Fits).
type Rotator struct {
	pulumi.ResourceState

	// FunctionName is the rotation function's name.
	FunctionName pulumi.StringOutput `pulumi:"functionName"`
	// FunctionArn is the rotation function's ARN.
	FunctionArn pulumi.StringOutput `pulumi:"functionArn"`
	// RoleArn is the execution role's ARN.
	RoleArn pulumi.StringOutput `pulumi:"roleArn"`
	// LogGroupName is /aws/lambda/{FunctionName}.
	LogGroupName pulumi.StringOutput `pulumi:"logGroupName"`
}

// NewRotator registers the role and its policy, the log group, the function,
// and per secret Secrets Manager's invoke permission and the rotation
// schedule; for strategies with a grace period, the group's sweep schedule.
func NewRotator(ctx *pulumi.Context, name string, args *RotatorArgs, opts ...pulumi.ResourceOption) (*Rotator, error) {
	if args == nil {
		return nil, errors.New("new rotator: args are required")
	}
	a := *args
	if len(a.Group.Secrets) == 0 {
		return nil, fmt.Errorf("new rotator %s: the group has no secret", name)
	}
	first := a.Group.Secrets[0]
	st := first.Rotation.Strategy
	switch {
	case !st.Automatic():
		return nil, fmt.Errorf("new rotator %s: strategy %q has no Go rotator", name, st)
	case a.SecretsKeyArn == nil || a.PlatformKeyArn == nil:
		return nil, fmt.Errorf("new rotator %s: SecretsKeyArn and PlatformKeyArn are required", name)
	case a.Environment == "":
		return nil, fmt.Errorf("new rotator %s: Environment is required", name)
	case a.Account.Validate() != nil:
		return nil, fmt.Errorf("new rotator %s: %w", name, a.Account.Validate())
	case a.Code.Path == "" || a.Code.SourceCodeHash == "":
		return nil, fmt.Errorf("new rotator %s: Code is required (see artifact.Build)", name)
	case st.ReadsMasterSecret() && (a.MasterSecretArn == nil || a.Network == nil):
		return nil, fmt.Errorf("new rotator %s: strategy %s needs MasterSecretArn and Network", name, st)
	case sweeps(st) && a.DeadLetterArn == "":
		return nil, fmt.Errorf("new rotator %s: strategy %s sweeps, which needs DeadLetterArn", name, st)
	case iam.CheckBoundaryARN(a.Account, a.Environment, a.PermissionsBoundaryArn) != nil:
		return nil, fmt.Errorf("new rotator %s: %w", name, iam.CheckBoundaryARN(a.Account, a.Environment, a.PermissionsBoundaryArn))
	}
	var arns []pulumi.StringOutput
	for _, s := range a.Group.Secrets {
		t, ok := a.Targets[s.Name]
		if !ok || t.Parent == nil || t.ParentName == "" {
			return nil, fmt.Errorf("new rotator %s: secret %s has no target (ARN, parent)", name, s.Name)
		}
		arns = append(arns, t.Arn)
	}
	env, err := Environment(envArgs(a, first))
	if err != nil {
		return nil, fmt.Errorf("new rotator %s: %w", name, err)
	}

	r := &Rotator{}
	if err := ctx.RegisterComponentResource("secrets-platform:rotation:Rotator", name, r, opts...); err != nil {
		return nil, fmt.Errorf("register rotator %s: %w", name, err)
	}
	parent := pulumi.Parent(r)
	tags := pulumi.ToStringMap(maps.Clone(a.Tags))
	fnName := a.Group.Name
	fnArn := a.Account.ARN("lambda", "function:"+fnName)

	trust, err := iam.LambdaTrust(a.Account.ID).JSON()
	if err != nil {
		return nil, fmt.Errorf("trust policy of %s: %w", fnName, err)
	}
	role, err := awsiam.NewRole(ctx, name+"-role", &awsiam.RoleArgs{
		Name:                pulumi.String(fnName),
		Description:         pulumi.String(fmt.Sprintf("Rotates %d %s secrets of %s only", len(a.Group.Secrets), st, a.Environment)),
		AssumeRolePolicy:    pulumi.String(trust),
		PermissionsBoundary: pulumi.String(a.PermissionsBoundaryArn),
		Tags:                tags,
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("create rotator role %s: %w", fnName, err)
	}

	logs, err := cloudwatch.NewLogGroup(ctx, name+"-logs", &cloudwatch.LogGroupArgs{
		Name:            pulumi.String("/aws/lambda/" + fnName),
		RetentionInDays: pulumi.Int(logRetention(a.Strict)),
		KmsKeyId:        a.PlatformKeyArn,
		Tags:            tags,
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("create log group of %s: %w", fnName, err)
	}

	admin := optional(a.AdminSecretArn)
	master := optional(a.MasterSecretArn)
	replicaKeys, err := a.replicaKeys()
	if err != nil {
		return nil, fmt.Errorf("new rotator %s: %w", name, err)
	}
	policyJSON := pulumi.All(pulumi.ToStringArrayOutput(arns), admin, master, a.SecretsKeyArn, a.PlatformKeyArn, logs.Arn, replicaKeys).ApplyT(
		func(xs []any) (string, error) {
			return Policy(PolicyArgs{
				Strategy: st, Account: a.Account, FunctionArn: fnArn,
				SecretArns: xs[0].([]string), AdminSecretArn: xs[1].(string), MasterSecretArn: xs[2].(string),
				SecretsKeyArn: xs[3].(string), PlatformKeyArn: xs[4].(string), LogGroupArn: xs[5].(string),
				Replicas: ReplicaKeys(a.Group.Secrets, xs[0].([]string), xs[6].(map[string]string)),
			}).JSON()
		}).(pulumi.StringOutput)
	policy, err := awsiam.NewRolePolicy(ctx, name+"-policy", &awsiam.RolePolicyArgs{
		Role: role.ID(), Name: pulumi.String("rotate-own-secrets"), Policy: policyJSON,
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("create rotator policy of %s: %w", fnName, err)
	}
	deps := []pulumi.Resource{policy, logs}

	fnArgs := &lambda.FunctionArgs{
		Name:                         pulumi.String(fnName),
		Description:                  pulumi.String(fmt.Sprintf("Rotates %d secrets of %s (%s)", len(a.Group.Secrets), a.Environment, st)),
		Role:                         role.Arn,
		Runtime:                      pulumi.String(Runtime),
		Architectures:                pulumi.StringArray{pulumi.String(Architecture)},
		Handler:                      pulumi.String("bootstrap"),
		Code:                         pulumi.NewFileArchive(a.Code.Path),
		SourceCodeHash:               pulumi.String(a.Code.SourceCodeHash),
		ReservedConcurrentExecutions: pulumi.Int(ReservedConcurrency),
		Timeout:                      pulumi.Int(Timeout(st, len(a.Group.Secrets))),
		MemorySize:                   pulumi.Int(MemoryMB),
		TracingConfig:                &lambda.FunctionTracingConfigArgs{Mode: pulumi.String("Active")},
		KmsKeyArn:                    a.PlatformKeyArn,
		Environment:                  &lambda.FunctionEnvironmentArgs{Variables: env},
		LoggingConfig:                &lambda.FunctionLoggingConfigArgs{LogFormat: pulumi.String("JSON"), LogGroup: logs.Name},
		Tags:                         tags,
	}
	if inVPC(st) {
		fnArgs.VpcConfig = &lambda.FunctionVpcConfigArgs{
			SubnetIds:        a.Network.SubnetIDs,
			SecurityGroupIds: pulumi.StringArray{a.Network.SecurityGroupID},
		}
		vpc, err := awsiam.NewRolePolicyAttachment(ctx, name+"-vpc-access", &awsiam.RolePolicyAttachmentArgs{
			Role: role.Name, PolicyArn: pulumi.String(VPCAccessPolicy(a.Account.Partition)),
		}, parent)
		if err != nil {
			return nil, fmt.Errorf("attach vpc access to %s: %w", fnName, err)
		}
		deps = append(deps, vpc)
		deps = append(deps, a.Network.Ready...)
	}
	// The function waits for its permissions and its log group, so its first
	// invocation can work and its first log lines land in the encrypted group.
	fn, err := lambda.NewFunction(ctx, name+"-function", fnArgs, parent, pulumi.DependsOn(deps))
	if err != nil {
		return nil, fmt.Errorf("create rotation function %s: %w", fnName, err)
	}
	for _, s := range a.Group.Secrets {
		if err := rotate(ctx, name, a, s, a.Targets[s.Name], fn, parent); err != nil {
			return nil, err
		}
	}
	if sweeps(st) {
		if err := newSweep(ctx, name, a, arns, fn, tags, r); err != nil {
			return nil, err
		}
	}

	r.FunctionName, r.FunctionArn, r.RoleArn, r.LogGroupName = fn.Name, fn.Arn, role.Arn, logs.Name
	if err := ctx.RegisterResourceOutputs(r, pulumi.Map{
		"functionName": fn.Name, "functionArn": fn.Arn, "roleArn": role.Arn, "logGroupName": logs.Name,
	}); err != nil {
		return nil, fmt.Errorf("register rotator outputs %s: %w", name, err)
	}
	return r, nil
}

// rotate lets Secrets Manager invoke the function for one secret (a
// permission of the function's, named by the secret) and schedules the
// secret's rotation (the secret's own children, so they stay when the
// secret moves to another group).
func rotate(ctx *pulumi.Context, name string, a RotatorArgs, s config.Secret, t Target, fn *lambda.Function, parent pulumi.ResourceOption) error {
	perm, err := lambda.NewPermission(ctx, name+"-invoke-"+s.Group+"-"+s.Short, &lambda.PermissionArgs{
		Action:        pulumi.String("lambda:InvokeFunction"),
		Function:      fn.Name,
		Principal:     pulumi.String("secretsmanager.amazonaws.com"),
		SourceArn:     t.Arn,
		SourceAccount: pulumi.String(a.Account.ID),
		StatementId:   pulumi.String(PermissionStatementID(s.Name)),
	}, parent)
	if err != nil {
		return fmt.Errorf("allow secrets manager to invoke %s for %s: %w", a.Group.Name, s.Name, err)
	}
	rotationDeps := append([]pulumi.Resource{perm}, t.DependsOn...)
	if inVPC(s.Rotation.Strategy) {
		// The rotation's first run calls Secrets Manager through the endpoint.
		rotationDeps = append(rotationDeps, a.Network.Ready...)
	}
	own := pulumi.Parent(t.Parent)
	slot, err := newScheduleSlot(ctx, t.ParentName, t.Slot, own)
	if err != nil {
		return err
	}
	if t.AwaitingPrerequisite != "" {
		return nil
	}
	if _, err := secretsmanager.NewSecretRotation(ctx, t.ParentName+"-rotation", &secretsmanager.SecretRotationArgs{
		SecretId:          t.Arn,
		RotationLambdaArn: fn.Arn,
		RotationRules:     Rules(s.Rotation, slot),
		RotateImmediately: pulumi.Bool(RotateImmediately(s)),
	}, own, pulumi.DependsOn(rotationDeps), pulumi.Aliases([]pulumi.Alias{previousRotation(ctx, s)})); err != nil {
		return fmt.Errorf("schedule rotation of %s: %w", s.Name, err)
	}
	return nil
}

// previousRotation is where the release before rotator groups kept a
// secret's rotation: under a rotator of its own, rotation-{group}-{name}, at
// the stack's root. The alias makes an upgrade update that rotation in place
// (its function changes) instead of cancelling and recreating it.
func previousRotation(ctx *pulumi.Context, s config.Secret) pulumi.Alias {
	old := "rotation-" + s.Group + "-" + s.Short
	parent := fmt.Sprintf("urn:pulumi:%s::%s::secrets-platform:rotation:Rotator::%s", ctx.Stack(), ctx.Project(), old)
	return pulumi.Alias{Name: pulumi.String(old + "-rotation"), ParentURN: pulumi.URN(parent)}
}

// replicaKeys are the keys of the replica regions the group's secrets
// replicate to, by region.
func (a RotatorArgs) replicaKeys() (pulumi.StringMapOutput, error) {
	keys := pulumi.StringMap{}
	for _, s := range a.Group.Secrets {
		for _, r := range s.ReplicaRegions {
			k, ok := a.ReplicaKeyArns[r]
			if !ok || k == nil {
				return pulumi.StringMapOutput{}, fmt.Errorf("secret %s replicates to %s, which has no key (ReplicaKeyArns)", s.Name, r)
			}
			keys[r] = k
		}
	}
	return keys.ToStringMapOutput(), nil
}

// PermissionStatementID names a secret's invoke permission in its function's
// policy: unique per secret, within Lambda's 100 characters whatever the name.
func PermissionStatementID(secretName string) string {
	sum := sha256.Sum256([]byte(secretName))
	return "SecretsManager-" + hex.EncodeToString(sum[:8])
}

// newSweep invokes the rotator every SweepSchedule with a contract.SweepEvent
// naming the group's secrets, so replaced third-party keys are revoked once
// no cache can still hold them.
func newSweep(ctx *pulumi.Context, name string, a RotatorArgs, arns []pulumi.StringOutput, fn *lambda.Function, tags pulumi.StringMap, parent *Rotator) error {
	// Named after its function, so the environment prefix that scopes this
	// stack's rules in policies covers it too.
	ruleName := SweepRuleName(a.Group.Name)
	rule, err := cloudwatch.NewEventRule(ctx, name+"-sweep-schedule", &cloudwatch.EventRuleArgs{
		Name:               pulumi.String(ruleName),
		Description:        pulumi.String(fmt.Sprintf("Revoke expired keys of the %d secrets %s rotates", len(arns), a.Group.Name)),
		ScheduleExpression: pulumi.String(SweepSchedule),
		Tags:               tags,
	}, pulumi.Parent(parent))
	if err != nil {
		return fmt.Errorf("create sweep schedule of %s: %w", a.Group.Name, err)
	}
	input := pulumi.ToStringArrayOutput(arns).ApplyT(func(ids []string) (string, error) {
		return contract.SweepEvent{Action: contract.ActionRevokeExpired, SecretIDs: ids}.JSON()
	}).(pulumi.StringOutput)
	perm, err := lambda.NewPermission(ctx, name+"-sweep-permission", &lambda.PermissionArgs{
		Action:        pulumi.String("lambda:InvokeFunction"),
		Function:      fn.Name,
		Principal:     pulumi.String("events.amazonaws.com"),
		SourceArn:     rule.Arn,
		SourceAccount: pulumi.String(a.Account.ID),
		StatementId:   pulumi.String("EventBridgeSweepsOwnSecrets"),
	}, pulumi.Parent(parent))
	if err != nil {
		return fmt.Errorf("allow the sweep schedule to invoke %s: %w", a.Group.Name, err)
	}
	if _, err := cloudwatch.NewEventTarget(ctx, name+"-sweep-target", &cloudwatch.EventTargetArgs{
		Rule: rule.Name, Arn: fn.Arn, Input: input,
		// The queue is the alerts', registered after the rotators. A target
		// takes its queue as an ARN, which may be another account's, and
		// EventBridge uses it only when it dead-letters an event.
		DeadLetterConfig: &cloudwatch.EventTargetDeadLetterConfigArgs{Arn: pulumi.String(a.DeadLetterArn)},
		RetryPolicy: &cloudwatch.EventTargetRetryPolicyArgs{
			MaximumEventAgeInSeconds: pulumi.Int(SweepRetrySeconds), MaximumRetryAttempts: pulumi.Int(185),
		},
	}, pulumi.Parent(parent), pulumi.DependsOn([]pulumi.Resource{perm})); err != nil {
		return fmt.Errorf("target the sweep schedule of %s: %w", a.Group.Name, err)
	}
	return nil
}

// Timeout is the function timeout of a group of n secrets: one step's, or,
// for a key rotator, its sweep's over all n secrets.
func Timeout(st config.Strategy, n int) int {
	if !sweeps(st) {
		return TimeoutSeconds
	}
	return TimeoutSeconds + SweepSecondsPerSecret*n
}

// SweepRuleName is the sweep schedule of a group's function.
func SweepRuleName(group string) string { return group + "-sweep" }

func logRetention(strict bool) int {
	if strict {
		return LogRetentionStrictDays
	}
	return LogRetentionDisposableDays
}

// optional turns an absent ARN into "", so one All can resolve them together.
func optional(s pulumi.StringInput) pulumi.StringOutput {
	if s == nil {
		return pulumi.String("").ToStringOutput()
	}
	return s.ToStringOutput()
}
