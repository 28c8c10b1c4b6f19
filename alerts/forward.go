package alerts

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	awsiam "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/iam"
)

// A replica region's API calls reach EventBridge in that region only: a
// replica promoted there (StopReplicationToReplica), a replica key's policy
// replaced, a value put into a promoted replica. Each replica region gets
// one rule that forwards the calls the stack's detections watch to the
// default event bus of the stack's region, where the same rules match them
// as if they had happened there (an event keeps its source, detail and
// awsRegion on the way: EventBridge user guide, "Sending and receiving
// events between AWS Regions").
//
// Limits, said plainly: while the stack's region is down nothing is
// delivered (EventBridge retries a target for 24 hours); a forwarder has no
// dead-letter queue or alarm of its own, because both would need a topic,
// a queue and a key in every replica region; deleting a forwarder is
// reported only if the deletion itself gets through, as for the tampering
// rule of the stack's region.

// ForwardRuleName is the forwarding rule in each replica region.
func ForwardRuleName(env string) string { return env + "-alerts-forward" }

// ForwardRoleName is the role EventBridge assumes to put forwarded events on
// the stack region's bus. It ends in -trigger, the suffix of the roles the
// deploy role may pass to EventBridge (bootstrap/deployworkloads.go).
func ForwardRoleName(env string) string { return env + "-alerts-forward-trigger" }

// ForwardRuleARN is the forwarding rule of one replica region.
func ForwardRuleARN(a iam.Account, env, region string) string {
	return a.InRegion(region).ARN("events", "rule/"+ForwardRuleName(env))
}

// forwardedCalls are what the detections of the stack's region watch that
// can happen in a replica region, by event source: the secret and key calls
// of the dangerous-calls, changed-by-people, operator-put and replication
// rules, and changes to the environment's rules there (the forwarder).
func forwardedCalls() map[string][]string {
	secrets := slices.Concat(DangerousCalls()["secretsmanager.amazonaws.com"], ReplicationStops(), []string{
		"CancelRotateSecret", "PutSecretValue", "ReplicateSecretToRegions", "RotateSecret", "UpdateSecret", "UpdateSecretVersionStage",
	})
	keys := slices.Concat(DangerousCalls()["kms.amazonaws.com"], []string{
		"CancelKeyDeletion", "CreateGrant", "DeleteAlias", "DisableKeyRotation", "UpdateAlias",
	})
	return map[string][]string{"secretsmanager": secrets, "kms": keys}
}

// ForwardPattern matches, in a replica region, the events the stack's
// detections would match there: the secret and key calls they watch, the
// replication events, and changes to the environment's rules.
func ForwardPattern(env string) (string, error) {
	calls := forwardedCalls()
	prefix := []any{map[string]any{"prefix": env + "-"}}
	p, err := marshal(map[string]any{"$or": []map[string]any{
		{"source": []string{"aws.secretsmanager"}, "detail-type": []string{apiCall},
			"detail": map[string]any{"eventSource": []string{"secretsmanager.amazonaws.com"}, "eventName": slices.Sorted(slices.Values(calls["secretsmanager"]))}},
		{"source": []string{"aws.secretsmanager"}, "detail-type": []string{serviceEvent},
			"detail": map[string]any{"eventSource": []string{"secretsmanager.amazonaws.com"}, "eventName": ReplicationEvents()}},
		{"source": []string{"aws.kms"}, "detail-type": []string{apiCall},
			"detail": map[string]any{"eventSource": []string{"kms.amazonaws.com"}, "eventName": slices.Sorted(slices.Values(calls["kms"]))}},
		{"source": []string{"aws.events"}, "detail-type": []string{apiCall},
			"detail": map[string]any{"eventSource": []string{"events.amazonaws.com"}, "eventName": []string{"DeleteRule", "DisableRule", "PutRule"},
				"requestParameters": map[string]any{"name": prefix}}},
		{"source": []string{"aws.events"}, "detail-type": []string{apiCall},
			"detail": map[string]any{"eventSource": []string{"events.amazonaws.com"}, "eventName": []string{"PutTargets", "RemoveTargets"},
				"requestParameters": map[string]any{"rule": prefix}}},
	}})
	if err != nil {
		return "", err
	}
	return p, checkPattern(ForwardRuleName(env), p)
}

// ForwardPolicy lets the forwarding role put events on the default bus of
// the stack's region and nowhere else.
func ForwardPolicy(a iam.Account) iam.Document {
	return iam.New(iam.Statement{
		Sid: "PutOnTheStacksRegionBusOnly", Effect: iam.Allow,
		Action: iam.Strings{"events:PutEvents"}, Resource: iam.Strings{iam.DefaultEventBusARN(a)},
	})
}

// ForwardArgs configures the forwarders of a stack's replica regions.
type ForwardArgs struct {
	// Environment prefixes every name. Required.
	Environment string
	// Account is the stack's account and region, whose bus receives. Required.
	Account iam.Account
	// Providers deploy into each replica region, by region. Required (non-empty).
	Providers map[string]pulumi.ProviderResource
	// PermissionsBoundaryArn is the boundary the forwarding role carries. Required.
	PermissionsBoundaryArn string
	// Tags are applied to the role and the rules. Optional.
	Tags map[string]string
}

// Forwarders is the forwarding role and one rule per replica region.
type Forwarders struct {
	pulumi.ResourceState

	// RoleArn is the role EventBridge forwards with.
	RoleArn pulumi.StringOutput `pulumi:"roleArn"`
}

// NewForwarders registers the role (IAM is global) and, through each
// replica region's provider, that region's rule and its target: the stack
// region's default bus, with EventBridge's retry maxima.
func NewForwarders(ctx *pulumi.Context, name string, args *ForwardArgs, opts ...pulumi.ResourceOption) (*Forwarders, error) {
	if args == nil {
		return nil, errors.New("new forwarders: args are required")
	}
	if args.Environment == "" || len(args.Providers) == 0 {
		return nil, fmt.Errorf("new forwarders %s: Environment and Providers are required", name)
	}
	if err := iam.CheckBoundaryARN(args.Account, args.Environment, args.PermissionsBoundaryArn); err != nil {
		return nil, fmt.Errorf("new forwarders %s: %w", name, err)
	}
	env, regions := args.Environment, slices.Sorted(maps.Keys(args.Providers))
	pattern, err := ForwardPattern(env)
	if err != nil {
		return nil, fmt.Errorf("new forwarders %s: %w", name, err)
	}
	var rules []string
	for _, r := range regions {
		rules = append(rules, ForwardRuleARN(args.Account, env, r))
	}
	trust, err := iam.EventsTrustForRules(args.Account, rules).JSON()
	if err != nil {
		return nil, fmt.Errorf("new forwarders %s: %w", name, err)
	}
	policy, err := ForwardPolicy(args.Account).JSON()
	if err != nil {
		return nil, fmt.Errorf("new forwarders %s: %w", name, err)
	}
	f := &Forwarders{}
	if err := ctx.RegisterComponentResource("secrets-platform:alerts:Forwarders", name, f, opts...); err != nil {
		return nil, fmt.Errorf("register forwarders %s: %w", name, err)
	}
	tags := pulumi.ToStringMap(args.Tags)
	role, err := awsiam.NewRole(ctx, name+"-role", &awsiam.RoleArgs{
		Name:                pulumi.String(ForwardRoleName(env)),
		Description:         pulumi.String("Forwards the alert events of the replica regions of " + env + " to its region's event bus; managed by secrets-platform"),
		AssumeRolePolicy:    pulumi.String(trust),
		MaxSessionDuration:  pulumi.Int(3600),
		PermissionsBoundary: pulumi.String(args.PermissionsBoundaryArn),
		Tags:                tags,
	}, pulumi.Parent(f))
	if err != nil {
		return nil, fmt.Errorf("create forwarding role of %s: %w", env, err)
	}
	put, err := awsiam.NewRolePolicy(ctx, name+"-role-policy", &awsiam.RolePolicyArgs{
		Role: role.Name, Name: pulumi.String("put-on-" + args.Account.Region + "-bus"), Policy: pulumi.String(policy),
	}, pulumi.Parent(f))
	if err != nil {
		return nil, fmt.Errorf("create forwarding policy of %s: %w", env, err)
	}
	for _, r := range regions {
		in := []pulumi.ResourceOption{pulumi.Parent(f), pulumi.Provider(args.Providers[r])}
		rule, err := cloudwatch.NewEventRule(ctx, name+"-"+r, &cloudwatch.EventRuleArgs{
			Name:         pulumi.String(ForwardRuleName(env)),
			Description:  pulumi.String("Forwards what the alerts of " + env + " watch in " + r + " to " + args.Account.Region),
			EventPattern: pulumi.String(pattern), State: pulumi.String("ENABLED"), Tags: tags,
		}, in...)
		if err != nil {
			return nil, fmt.Errorf("create forwarding rule in %s: %w", r, err)
		}
		if _, err := cloudwatch.NewEventTarget(ctx, name+"-"+r+"-to-bus", &cloudwatch.EventTargetArgs{
			Rule: rule.Name, Arn: pulumi.String(iam.DefaultEventBusARN(args.Account)), RoleArn: role.Arn,
			TargetId: pulumi.String("alerts-bus"),
			RetryPolicy: &cloudwatch.EventTargetRetryPolicyArgs{
				MaximumEventAgeInSeconds: pulumi.Int(retryMaxAgeSeconds), MaximumRetryAttempts: pulumi.Int(retryMaxAttempts),
			},
		}, append(in, pulumi.DependsOn([]pulumi.Resource{put}))...); err != nil {
			return nil, fmt.Errorf("target the forwarding rule in %s: %w", r, err)
		}
	}
	f.RoleArn = role.Arn
	if err := ctx.RegisterResourceOutputs(f, pulumi.Map{"roleArn": role.Arn}); err != nil {
		return nil, fmt.Errorf("register forwarders outputs %s: %w", name, err)
	}
	return f, nil
}
