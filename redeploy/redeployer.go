package redeploy

import (
	"errors"
	"fmt"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	awsiam "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sfn"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/iam"
)

// Service is an ECS service in the stack's account and region.
type Service struct {
	Cluster, Service string
}

// Args configures one workload's redeployer.
type Args struct {
	// Environment and Workload name everything (NamesOf). Required.
	Environment, Workload string
	// Service is what each rotation redeploys. Required.
	Service Service
	// SecretArns are the injected secrets whose rotations redeploy it. Required.
	SecretArns pulumi.StringArrayInput
	// Account places everything. Required.
	Account iam.Account
	// PermissionsBoundaryArn is the environment's boundary (iam.BoundaryARN),
	// which both roles carry. Required.
	PermissionsBoundaryArn string
	// AlarmTopicArn hears about a redeployment that failed or never
	// started. Required: tasks left on a replaced value fail silently.
	AlarmTopicArn pulumi.StringInput
	// DeadLetterArn is the stack's dead-letter queue
	// (alerts.DeadLetterQueueARN), which keeps a rotation event whose
	// redeployment EventBridge could not start. Required.
	DeadLetterArn string
	// Tags are added to every resource. Optional.
	Tags map[string]string
}

// Redeployer forces a new deployment of an ECS service after each
// successful rotation of the secrets its tasks inject at start.
type Redeployer struct {
	pulumi.ResourceState

	// StateMachineArn runs the redeployment; RuleName starts it.
	StateMachineArn pulumi.StringOutput `pulumi:"stateMachineArn"`
	RuleName        pulumi.StringOutput `pulumi:"ruleName"`
}

// Validate reports args NewRedeployer would refuse.
func (a *Args) Validate() error {
	if a.Environment == "" || a.Workload == "" || a.Service.Cluster == "" || a.Service.Service == "" {
		return errors.New("Environment, Workload and Service (cluster and service) are required")
	}
	if a.SecretArns == nil || a.AlarmTopicArn == nil || a.DeadLetterArn == "" {
		return errors.New("SecretArns, AlarmTopicArn and DeadLetterArn are required")
	}
	if err := a.Account.Validate(); err != nil {
		return err
	}
	n := NamesOf(a.Environment, a.Workload)
	for _, name := range []string{n.MachineRole, n.TriggerRole, n.Rule} {
		if len(name) > 64 {
			return fmt.Errorf("name %q: longer than the 64 characters IAM and EventBridge allow", name)
		}
	}
	return iam.CheckBoundaryARN(a.Account, a.Environment, a.PermissionsBoundaryArn)
}

// NewRedeployer registers the state machine, its role, the rule on
// RotationSucceeded with its role and target, and two alarms.
func NewRedeployer(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Redeployer, error) {
	if args == nil {
		return nil, errors.New("new redeployer: args are required")
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("new redeployer %s: %w", name, err)
	}
	r := &Redeployer{}
	if err := ctx.RegisterComponentResource("secrets-platform:redeploy:Redeployer", name, r, opts...); err != nil {
		return nil, fmt.Errorf("register redeployer %s: %w", name, err)
	}
	a, n, tags := args.Account, NamesOf(args.Environment, args.Workload), pulumi.ToStringMap(args.Tags)
	machineARN := StateMachineARN(a, n.StateMachine)

	machineRole, err := r.role(ctx, name+"-machine-role", n.MachineRole, iam.StatesTrust(a, machineARN), MachinePolicy(a, args.Service), args, tags)
	if err != nil {
		return nil, err
	}
	def, err := Definition(a, args.Service)
	if err != nil {
		return nil, err
	}
	machine, err := sfn.NewStateMachine(ctx, name+"-machine", &sfn.StateMachineArgs{
		Name: pulumi.String(n.StateMachine), Type: pulumi.String("STANDARD"),
		Definition: pulumi.String(def), RoleArn: machineRole.Arn, Tags: tags,
	}, pulumi.Parent(r), pulumi.DependsOn([]pulumi.Resource{machineRole}))
	if err != nil {
		return nil, fmt.Errorf("create state machine %s: %w", n.StateMachine, err)
	}
	triggerRole, err := r.role(ctx, name+"-trigger-role", n.TriggerRole, iam.EventsTrust(a, iam.EventRuleARN(a, n.Rule)), TriggerPolicy(machineARN), args, tags)
	if err != nil {
		return nil, err
	}
	pattern := args.SecretArns.ToStringArrayOutput().ApplyT(func(arns []string) (string, error) {
		return Pattern(slices.Sorted(slices.Values(arns)))
	}).(pulumi.StringOutput)
	rule, err := cloudwatch.NewEventRule(ctx, name+"-rule", &cloudwatch.EventRuleArgs{
		Name:         pulumi.String(n.Rule),
		Description:  pulumi.Sprintf("Redeploy ECS service %s/%s after a rotation of a secret it injects at start", args.Service.Cluster, args.Service.Service),
		EventPattern: pattern, Tags: tags,
	}, pulumi.Parent(r))
	if err != nil {
		return nil, fmt.Errorf("create rule %s: %w", n.Rule, err)
	}
	if _, err := cloudwatch.NewEventTarget(ctx, name+"-target", &cloudwatch.EventTargetArgs{
		Rule: rule.Name, Arn: machine.Arn, RoleArn: triggerRole.Arn,
		// EventBridge's maxima: a briefly failing start is retried for a
		// day, then the event waits in the queue for a start by hand.
		RetryPolicy:      &cloudwatch.EventTargetRetryPolicyArgs{MaximumEventAgeInSeconds: pulumi.Int(86400), MaximumRetryAttempts: pulumi.Int(185)},
		DeadLetterConfig: &cloudwatch.EventTargetDeadLetterConfigArgs{Arn: pulumi.String(args.DeadLetterArn)},
	}, pulumi.Parent(r)); err != nil {
		return nil, fmt.Errorf("create target of %s: %w", n.Rule, err)
	}
	if err := r.alarms(ctx, name, n, machine.Arn, args.AlarmTopicArn, tags); err != nil {
		return nil, err
	}
	r.StateMachineArn, r.RuleName = machine.Arn, rule.Name
	if err := ctx.RegisterResourceOutputs(r, pulumi.Map{"stateMachineArn": r.StateMachineArn, "ruleName": r.RuleName}); err != nil {
		return nil, fmt.Errorf("register redeployer outputs %s: %w", name, err)
	}
	return r, nil
}

// role registers a bounded role with its one inline policy.
func (r *Redeployer) role(ctx *pulumi.Context, name, roleName string, trust, policy iam.Document, args *Args, tags pulumi.StringMap) (*awsiam.Role, error) {
	t, err := trust.JSON()
	if err != nil {
		return nil, err
	}
	p, err := policy.JSON()
	if err != nil {
		return nil, err
	}
	role, err := awsiam.NewRole(ctx, name, &awsiam.RoleArgs{
		Name: pulumi.String(roleName), AssumeRolePolicy: pulumi.String(t),
		Description:         pulumi.String("Redeploys an ECS service after a rotation; managed by secrets-platform"),
		MaxSessionDuration:  pulumi.Int(3600),
		PermissionsBoundary: pulumi.String(args.PermissionsBoundaryArn),
		Tags:                tags,
	}, pulumi.Parent(r))
	if err != nil {
		return nil, fmt.Errorf("create role %s: %w", roleName, err)
	}
	if _, err := awsiam.NewRolePolicy(ctx, name+"-policy", &awsiam.RolePolicyArgs{
		Role: role.Name, Name: pulumi.String(roleName), Policy: pulumi.String(p),
	}, pulumi.Parent(r)); err != nil {
		return nil, fmt.Errorf("create policy of %s: %w", roleName, err)
	}
	return role, nil
}

// alarms report a redeployment that failed after its retries, and a rule
// that could not start one: either leaves tasks on a replaced value.
func (r *Redeployer) alarms(ctx *pulumi.Context, name string, n Names, machineArn pulumi.StringOutput, topic pulumi.StringInput, tags pulumi.StringMap) error {
	for _, a := range []struct {
		suffix, alarm, namespace, metric, desc string
		dims                                   pulumi.StringMap
	}{
		{"failed-alarm", n.FailedAlarm, "AWS/States", "ExecutionsFailed",
			"A redeployment after a rotation failed: tasks still run with the value they started with",
			pulumi.StringMap{"StateMachineArn": machineArn}},
		{"not-started-alarm", n.NotStartedAlarm, "AWS/Events", "FailedInvocations",
			"A rotation's redeployment could not be started: tasks still run with the value they started with",
			pulumi.StringMap{"RuleName": pulumi.String(n.Rule)}},
	} {
		if _, err := cloudwatch.NewMetricAlarm(ctx, name+"-"+a.suffix, &cloudwatch.MetricAlarmArgs{
			Name: pulumi.String(a.alarm), AlarmDescription: pulumi.String(a.desc),
			Namespace: pulumi.String(a.namespace), MetricName: pulumi.String(a.metric), Dimensions: a.dims,
			Statistic: pulumi.String("Sum"), Period: pulumi.Int(300), EvaluationPeriods: pulumi.Int(1),
			Threshold: pulumi.Float64(1), ComparisonOperator: pulumi.String("GreaterThanOrEqualToThreshold"),
			TreatMissingData: pulumi.String("notBreaching"),
			AlarmActions:     pulumi.Array{topic}, Tags: tags,
		}, pulumi.Parent(r)); err != nil {
			return fmt.Errorf("create alarm %s: %w", a.alarm, err)
		}
	}
	return nil
}
