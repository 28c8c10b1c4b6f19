package alerts

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cfg"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/iam"
)

// Args configures a stack's alerting.
type Args struct {
	// Environment prefixes every name ("{env}-..."). Required.
	Environment string
	// Account scopes the topic policy. Required.
	Account iam.Account
	// KmsKeyArn encrypts the topic (the stack's platform key, whose policy
	// carries KeyStatements). Required.
	KmsKeyArn pulumi.StringInput
	// Emails subscribe to the topic; each address must confirm. Optional.
	Emails []string
	// HTTPSEndpoints subscribe to the topic. They are passed as secrets
	// because chat webhooks carry their credential in the URL. Optional.
	HTTPSEndpoints []string
	// Rotators maps each automatically rotated secret's name to its rotation
	// function's name; each gets an errors and a throttles alarm. Optional.
	Rotators map[string]pulumi.StringOutput
	// ManualSecrets are the names of the manually rotated secrets; when any
	// exist, the age rule and its event rule are created. Optional.
	ManualSecrets []string
	// MaxSecretAgeDays is the age at which a manual secret alarms
	// (required when ManualSecrets is not empty).
	MaxSecretAgeDays int
	// Tags are applied to every taggable resource. Optional.
	Tags map[string]string
}

// Alerts is the alert topic with everything that publishes to it.
type Alerts struct {
	pulumi.ResourceState

	// TopicArn is the alert topic's ARN.
	TopicArn pulumi.StringOutput `pulumi:"topicArn"`
	// TopicName is the alert topic's name, "{env}-secrets-alerts".
	TopicName pulumi.StringOutput `pulumi:"topicName"`
}

// TopicName is the alert topic of an environment.
func TopicName(env string) string { return env + "-secrets-alerts" }

// AgeRuleName is the AWS Config rule that checks manual secrets' age.
func AgeRuleName(env string) string { return env + "-manual-secret-age" }

// AlarmNames are the two alarms of one rotated secret's function.
func AlarmNames(env, secretName string) (errorsAlarm, throttlesAlarm string) {
	slug := Slug(env, secretName)
	return env + "-rotator-errors-" + slug, env + "-rotator-throttles-" + slug
}

// Slug turns "/prod/app/database" into "app-database" for resource names.
func Slug(env, secretName string) string {
	rest := strings.TrimPrefix(secretName, "/"+env+"/")
	return strings.ReplaceAll(strings.Trim(rest, "/"), "/", "-")
}

// NewAlerts registers the topic, its policy and subscriptions, the event
// rules and the alarms.
func NewAlerts(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Alerts, error) {
	if args == nil {
		return nil, errors.New("new alerts: args are required")
	}
	if args.Environment == "" || args.KmsKeyArn == nil {
		return nil, fmt.Errorf("new alerts %s: Environment and KmsKeyArn are required", name)
	}
	if err := args.Account.Validate(); err != nil {
		return nil, fmt.Errorf("new alerts %s: %w", name, err)
	}
	if len(args.ManualSecrets) > 0 && args.MaxSecretAgeDays <= 0 {
		return nil, fmt.Errorf("new alerts %s: MaxSecretAgeDays is required when there are manual secrets", name)
	}
	a := &Alerts{}
	if err := ctx.RegisterComponentResource("secrets-platform:alerts:Alerts", name, a, opts...); err != nil {
		return nil, fmt.Errorf("register alerts: %w", err)
	}
	env := args.Environment
	tags := pulumi.ToStringMap(args.Tags)
	topic, err := sns.NewTopic(ctx, name+"-topic", &sns.TopicArgs{
		Name:           pulumi.String(TopicName(env)),
		DisplayName:    pulumi.String("Secrets platform alerts (" + env + ")"),
		KmsMasterKeyId: args.KmsKeyArn,
		Tags:           tags,
	}, pulumi.Parent(a))
	if err != nil {
		return nil, fmt.Errorf("create alert topic: %w", err)
	}
	policy := topic.Arn.ApplyT(func(arn string) (string, error) {
		return TopicPolicy(arn, args.Account, env).JSON()
	}).(pulumi.StringOutput)
	if _, err := sns.NewTopicPolicy(ctx, name+"-topic-policy", &sns.TopicPolicyArgs{
		Arn: topic.Arn, Policy: policy,
	}, pulumi.Parent(a)); err != nil {
		return nil, fmt.Errorf("create alert topic policy: %w", err)
	}
	if err := subscribe(ctx, name, topic, args, a); err != nil {
		return nil, err
	}
	if err := eventRules(ctx, name, topic, args, tags, a); err != nil {
		return nil, err
	}
	if err := alarms(ctx, name, topic, args, tags, a); err != nil {
		return nil, err
	}
	a.TopicArn, a.TopicName = topic.Arn, topic.Name
	if err := ctx.RegisterResourceOutputs(a, pulumi.Map{"topicArn": topic.Arn, "topicName": topic.Name}); err != nil {
		return nil, fmt.Errorf("register alerts outputs: %w", err)
	}
	return a, nil
}

// subscribe names each subscription by a hash of its endpoint, so adding or
// removing one address never replaces the others (an index would).
func subscribe(ctx *pulumi.Context, name string, topic *sns.Topic, args *Args, parent pulumi.Resource) error {
	for _, e := range args.Emails {
		if _, err := sns.NewTopicSubscription(ctx, name+"-email-"+short(e), &sns.TopicSubscriptionArgs{
			Topic: topic.Arn, Protocol: pulumi.String("email"), Endpoint: pulumi.String(e),
		}, pulumi.Parent(parent)); err != nil {
			return fmt.Errorf("subscribe an email address: %w", err)
		}
	}
	for _, u := range args.HTTPSEndpoints {
		if _, err := sns.NewTopicSubscription(ctx, name+"-https-"+short(u), &sns.TopicSubscriptionArgs{
			Topic:    topic.Arn,
			Protocol: pulumi.String("https"),
			Endpoint: pulumi.ToSecret(pulumi.String(u)).(pulumi.StringOutput),
			// The endpoint confirms by fetching the SubscribeURL SNS posts to it.
			EndpointAutoConfirms: pulumi.Bool(false),
		}, pulumi.Parent(parent), pulumi.AdditionalSecretOutputs([]string{"endpoint"})); err != nil {
			// The URL may hold a webhook token: never put it in the error.
			return fmt.Errorf("subscribe an https endpoint: %w", err)
		}
	}
	return nil
}

func short(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:4])
}

type eventRule struct {
	suffix, ruleName, description string
	pattern                       func() (string, error)
}

func eventRules(ctx *pulumi.Context, name string, topic *sns.Topic, args *Args, tags pulumi.StringMap, parent pulumi.Resource) error {
	env := args.Environment
	rules := []eventRule{
		{"rotation-failed", env + "-secret-rotation-failed", "Secrets Manager rotation failed, was abandoned, or its test failed", RotationPattern},
		{"dangerous-calls", env + "-secrets-dangerous-calls", "CloudTrail: a secret or key was deleted, disabled, or its policy changed", DangerousCallPattern},
	}
	if len(args.ManualSecrets) > 0 {
		ruleName := AgeRuleName(env)
		if _, err := cfg.NewRule(ctx, name+"-manual-age-rule", &cfg.RuleArgs{
			Name: pulumi.String(ruleName),
			Description: pulumi.String(fmt.Sprintf(
				"A manually rotated secret of %s whose value is older than %d days: roll it (docs/runbooks/roll-manual-key.md)", env, args.MaxSecretAgeDays)),
			Source:          cfg.RuleSourceArgs{Owner: pulumi.String("AWS"), SourceIdentifier: pulumi.String(AgeRuleIdentifier)},
			InputParameters: pulumi.String(fmt.Sprintf(`{"maxDaysSinceRotation":"%d"}`, args.MaxSecretAgeDays)),
			// The catalog tags every manual secret Rotation=manual.
			Scope: cfg.RuleScopeArgs{
				ComplianceResourceTypes: pulumi.ToStringArray([]string{"AWS::SecretsManager::Secret"}),
				TagKey:                  pulumi.String("Rotation"),
				TagValue:                pulumi.String("manual"),
			},
			MaximumExecutionFrequency: pulumi.String("TwentyFour_Hours"),
			Tags:                      tags,
		}, pulumi.Parent(parent)); err != nil {
			return fmt.Errorf("create manual secret age rule: %w", err)
		}
		rules = append(rules, eventRule{"manual-age", env + "-manual-secret-too-old",
			fmt.Sprintf("A manually rotated secret is older than %d days", args.MaxSecretAgeDays),
			func() (string, error) { return AgePattern(ruleName) }})
	}
	for _, r := range rules {
		pattern, err := r.pattern()
		if err != nil {
			return err
		}
		rule, err := cloudwatch.NewEventRule(ctx, name+"-"+r.suffix, &cloudwatch.EventRuleArgs{
			Name: pulumi.String(r.ruleName), Description: pulumi.String(r.description),
			EventPattern: pulumi.String(pattern), State: pulumi.String("ENABLED"), Tags: tags,
		}, pulumi.Parent(parent))
		if err != nil {
			return fmt.Errorf("create event rule %s: %w", r.ruleName, err)
		}
		if _, err := cloudwatch.NewEventTarget(ctx, name+"-"+r.suffix+"-to-topic", &cloudwatch.EventTargetArgs{
			Rule: rule.Name, Arn: topic.Arn, TargetId: pulumi.String("alert-topic"),
		}, pulumi.Parent(parent)); err != nil {
			return fmt.Errorf("create event target %s: %w", r.ruleName, err)
		}
	}
	return nil
}

// alarms: any error or throttle of a rotation function is worth a page, since
// rotation runs rarely and a stuck rotation leaves AWSPENDING behind. Missing
// data is normal (no rotation due) and so not breaching.
func alarms(ctx *pulumi.Context, name string, topic *sns.Topic, args *Args, tags pulumi.StringMap, parent pulumi.Resource) error {
	for _, secret := range slices.Sorted(maps.Keys(args.Rotators)) {
		fn := args.Rotators[secret]
		errName, throttleName := AlarmNames(args.Environment, secret)
		for _, m := range []struct{ suffix, alarm, metric string }{
			{"errors", errName, "Errors"},
			{"throttles", throttleName, "Throttles"},
		} {
			if _, err := cloudwatch.NewMetricAlarm(ctx, name+"-"+m.suffix+"-"+Slug(args.Environment, secret), &cloudwatch.MetricAlarmArgs{
				Name:               pulumi.String(m.alarm),
				AlarmDescription:   pulumi.String(fmt.Sprintf("Rotation function of %s: %s (docs/runbooks/rotation-failed.md)", secret, strings.ToLower(m.metric))),
				Namespace:          pulumi.String("AWS/Lambda"),
				MetricName:         pulumi.String(m.metric),
				Dimensions:         pulumi.StringMap{"FunctionName": fn},
				Statistic:          pulumi.String("Sum"),
				Period:             pulumi.Int(300),
				EvaluationPeriods:  pulumi.Int(1),
				Threshold:          pulumi.Float64(1),
				ComparisonOperator: pulumi.String("GreaterThanOrEqualToThreshold"),
				TreatMissingData:   pulumi.String("notBreaching"),
				AlarmActions:       pulumi.Array{topic.Arn},
				OkActions:          pulumi.Array{topic.Arn},
				Tags:               tags,
			}, pulumi.Parent(parent)); err != nil {
				return fmt.Errorf("create alarm %s: %w", m.alarm, err)
			}
		}
	}
	return nil
}

// AlarmCount is how many alarms NewAlerts creates for n rotation functions
// (for the cost estimate).
func AlarmCount(n int) int { return 2 * n }
