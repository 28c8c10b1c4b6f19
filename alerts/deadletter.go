package alerts

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/iam"
)

// DeadLetterQueueName is the queue that keeps the alerts EventBridge could
// not deliver to the topic (after 24 hours of retries).
func DeadLetterQueueName(env string) string { return env + "-alerts-dead-letters" }

// DeadLetterQueueARN is the queue's ARN, known before it exists: the key
// policy, written first, names it.
func DeadLetterQueueARN(acct iam.Account, env string) string {
	return acct.ARN("sqs", DeadLetterQueueName(env))
}

// deadLetterRetentionSeconds is SQS's maximum, 14 days: long enough to read
// a lost alert after a holiday.
const deadLetterRetentionSeconds = 1209600

// newDeadLetterQueue registers the queue, encrypted with the platform key
// (whose policy lets EventBridge use it for this queue only, KeyStatements).
func newDeadLetterQueue(ctx *pulumi.Context, name string, args *Args, tags pulumi.StringMap, parent pulumi.Resource) (*sqs.Queue, error) {
	q, err := sqs.NewQueue(ctx, name+"-dead-letters", &sqs.QueueArgs{
		Name:                         pulumi.String(DeadLetterQueueName(args.Environment)),
		KmsMasterKeyId:               args.KmsKeyArn,
		KmsDataKeyReusePeriodSeconds: pulumi.Int(300),
		MessageRetentionSeconds:      pulumi.Int(deadLetterRetentionSeconds),
		Tags:                         tags,
	}, pulumi.Parent(parent))
	if err != nil {
		return nil, fmt.Errorf("create alert dead-letter queue: %w", err)
	}
	return q, nil
}

// DeadLetterPatterns are the ARN patterns of the grace sweeps' and the
// redeployers' rules of an environment ({env}-...-sweep, {env}-...-redeploy),
// which other components register. Patterns, not every ARN: the rule
// budget allows a hundred of them, and SQS allows a policy 8,192 bytes.
func DeadLetterPatterns(acct iam.Account, env string, sweeps, redeploys bool) []string {
	var out []string
	if sweeps {
		out = append(out, iam.EventRuleARN(acct, env+"-*"+sweepSuffix))
	}
	if redeploys {
		out = append(out, iam.EventRuleARN(acct, env+"-*"+redeploySuffix))
	}
	return out
}

// The names DeadLetterPatterns admits end in these.
const sweepSuffix, redeploySuffix = "-sweep", "-redeploy"

// checkDeadLetterSources refuses a sweep or redeploy rule name the queue
// policy's patterns would not admit: its undeliverable events would be lost.
func checkDeadLetterSources(args *Args) error {
	for _, r := range []struct {
		names  []string
		suffix string
	}{{args.SweepRules, sweepSuffix}, {args.RedeployRules, redeploySuffix}} {
		for _, n := range r.names {
			if !strings.HasPrefix(n, args.Environment+"-") || !strings.HasSuffix(n, r.suffix) {
				return fmt.Errorf("rule %s: the dead-letter queue admits only %s-*%s", n, args.Environment, r.suffix)
			}
		}
	}
	return nil
}

// queuePolicy lets exactly the stack's rules send to the queue: the alert
// rules by ARN, the sweeps and redeployers by DeadLetterPatterns.
func queuePolicy(ctx *pulumi.Context, name string, q *sqs.Queue, rules map[string]*cloudwatch.EventRule, args *Args, parent pulumi.Resource) error {
	arns := pulumi.StringArray{q.Arn}
	for _, n := range slices.Sorted(maps.Keys(rules)) {
		arns = append(arns, rules[n].Arn)
	}
	for _, p := range DeadLetterPatterns(args.Account, args.Environment, len(args.SweepRules) > 0, len(args.RedeployRules) > 0) {
		arns = append(arns, pulumi.String(p))
	}
	doc := arns.ToStringArrayOutput().ApplyT(func(xs []string) (string, error) {
		return QueuePolicy(xs[0], args.Account, xs[1:]).JSON()
	}).(pulumi.StringOutput)
	if _, err := sqs.NewQueuePolicy(ctx, name+"-dead-letters-policy", &sqs.QueuePolicyArgs{
		QueueUrl: q.Url, Policy: doc,
	}, pulumi.Parent(parent)); err != nil {
		return fmt.Errorf("create alert dead-letter queue policy: %w", err)
	}
	return nil
}
