package alerts

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

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
	// Rotators maps each rotation function's planned name to its name
	// output; each gets an errors and a throttles alarm. Optional.
	Rotators map[string]pulumi.StringOutput
	// ManualSecrets are the names of the manually rotated secrets; when any
	// exist, the age rule and its event rule are created. Optional.
	ManualSecrets []string
	// OperatorRoleARNs are the roles operators put first values and manual
	// rolls with; their puts alert as information, not as a person changing
	// a secret. Optional.
	OperatorRoleARNs []string
	// MaxSecretAgeDays is the age at which a manual secret alarms
	// (required when ManualSecrets is not empty).
	MaxSecretAgeDays int
	// SweepRules are the names of the grace sweeps' schedules: their
	// targets dead-letter to the queue too, and each gets a
	// failed-deliveries alarm. Optional.
	SweepRules []string
	// RedeployRules are the names of the redeployers' rules: their targets
	// dead-letter to the queue too (each redeployer alarms on its own rule's
	// failed deliveries). Optional.
	RedeployRules []string
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

// AlarmNames are the two alarms of a rotation function, named after it (its
// name starts with the environment, which the topic's policy requires).
func AlarmNames(function string) (errorsAlarm, throttlesAlarm string) {
	return function + "-errors", function + "-throttles"
}

// NewAlerts registers the topic, its policy and subscriptions, the
// dead-letter queue and its policy, the event rules with their targets, and
// the alarms.
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
	if err := checkDeadLetterSources(args); err != nil {
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
	dlq, err := newDeadLetterQueue(ctx, name, args, tags, a)
	if err != nil {
		return nil, err
	}
	rules, err := eventRules(ctx, name, topic, dlq, args, tags, a)
	if err != nil {
		return nil, err
	}
	if err := queuePolicy(ctx, name, dlq, rules, args, a); err != nil {
		return nil, err
	}
	if err := alarms(ctx, name, topic, dlq, rules, args, tags, a); err != nil {
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
