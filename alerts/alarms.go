package alerts

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// RuleAlarmName is the alarm on one rule's failed deliveries (an alert
// rule's or a grace sweep's).
func RuleAlarmName(ruleName string) string { return ruleName + "-failed-deliveries" }

// DeadLetterAlarmName is the alarm on the dead-letter queue holding anything.
func DeadLetterAlarmName(env string) string { return DeadLetterQueueName(env) + "-not-empty" }

// AlarmCount is how many alarms NewAlerts creates for a stack with
// functions rotation functions, rules alert rules (RuleCount) and sweeps
// grace sweeps: two per function, one per rule and sweep, and one on the
// dead-letter queue.
func AlarmCount(functions, rules, sweeps int) int { return 2*functions + rules + sweeps + 1 }

// alarm is one metric alarm's settings; every alarm notifies the topic.
type alarm struct {
	resource, name, description, namespace, metric, statistic, comparison string
	dimensions                                                            pulumi.StringMap
	threshold                                                             float64
}

func newAlarm(ctx *pulumi.Context, a alarm, topic *sns.Topic, tags pulumi.StringMap, parent pulumi.Resource) error {
	if _, err := cloudwatch.NewMetricAlarm(ctx, a.resource, &cloudwatch.MetricAlarmArgs{
		Name:               pulumi.String(a.name),
		AlarmDescription:   pulumi.String(a.description),
		Namespace:          pulumi.String(a.namespace),
		MetricName:         pulumi.String(a.metric),
		Dimensions:         a.dimensions,
		Statistic:          pulumi.String(a.statistic),
		Period:             pulumi.Int(300),
		EvaluationPeriods:  pulumi.Int(1),
		Threshold:          pulumi.Float64(a.threshold),
		ComparisonOperator: pulumi.String(a.comparison),
		// Missing data is the normal state of all of them (no rotation due,
		// no alert, nothing lost), so it is not breaching.
		TreatMissingData: pulumi.String("notBreaching"),
		AlarmActions:     pulumi.Array{topic.Arn},
		OkActions:        pulumi.Array{topic.Arn},
		Tags:             tags,
	}, pulumi.Parent(parent)); err != nil {
		return fmt.Errorf("create alarm %s: %w", a.name, err)
	}
	return nil
}

// alarms: any error or throttle of a rotation function is worth a page, since
// rotation runs rarely and a stuck rotation leaves AWSPENDING behind. An
// alert rule that failed to deliver, or anything in the dead-letter queue,
// means an alert was lost: that is an alert too. So is a sweep EventBridge
// could not start: old third-party keys would stay valid. (When the topic
// itself is what fails, these alarms cannot reach it either; the queue
// keeps the events for 14 days and the alarm shows in the console.)
func alarms(ctx *pulumi.Context, name string, topic *sns.Topic, dlq *sqs.Queue, rules map[string]*cloudwatch.EventRule, args *Args, tags pulumi.StringMap, parent pulumi.Resource) error {
	env := args.Environment
	var all []alarm
	for _, fn := range slices.Sorted(maps.Keys(args.Rotators)) {
		errName, throttleName := AlarmNames(fn)
		for _, m := range []struct{ suffix, alarm, metric string }{
			{"errors", errName, "Errors"},
			{"throttles", throttleName, "Throttles"},
		} {
			all = append(all, alarm{
				resource: name + "-" + m.suffix + "-" + strings.TrimPrefix(fn, env+"-"), name: m.alarm,
				description: fmt.Sprintf("Rotation function %s: %s (docs/runbooks/rotation-failed.md)", fn, strings.ToLower(m.metric)),
				namespace:   "AWS/Lambda", metric: m.metric, statistic: "Sum", comparison: "GreaterThanOrEqualToThreshold", threshold: 1,
				dimensions: pulumi.StringMap{"FunctionName": args.Rotators[fn]},
			})
		}
	}
	failed := func(rule string, ruleName pulumi.StringInput, description string) alarm {
		return alarm{
			resource: name + "-failed-" + strings.TrimPrefix(rule, env+"-"), name: RuleAlarmName(rule), description: description,
			namespace: "AWS/Events", metric: "FailedInvocations", statistic: "Sum", comparison: "GreaterThanOrEqualToThreshold", threshold: 1,
			dimensions: pulumi.StringMap{"RuleName": ruleName},
		}
	}
	for _, rule := range slices.Sorted(maps.Keys(rules)) {
		all = append(all, failed(rule, rules[rule].Name,
			"Alert rule "+rule+" could not deliver to the alert topic: an alert went to "+DeadLetterQueueName(env)))
	}
	for _, rule := range args.SweepRules {
		all = append(all, failed(rule, pulumi.String(rule),
			"Grace sweep "+rule+" could not start its rotation function: expired third-party keys stay valid until a sweep runs (docs/runbooks/rotation-failed.md)"))
	}
	all = append(all, alarm{
		resource: name + "-dead-letters-not-empty", name: DeadLetterAlarmName(env),
		description: "Events EventBridge could not deliver (alerts, grace sweeps, redeployments) are waiting in " + DeadLetterQueueName(env) + ": read them (aws sqs receive-message)",
		namespace:   "AWS/SQS", metric: "ApproximateNumberOfMessagesVisible", statistic: "Maximum", comparison: "GreaterThanThreshold", threshold: 0,
		dimensions: pulumi.StringMap{"QueueName": dlq.Name},
	})
	for _, a := range all {
		if err := newAlarm(ctx, a, topic, tags, parent); err != nil {
			return err
		}
	}
	return nil
}
