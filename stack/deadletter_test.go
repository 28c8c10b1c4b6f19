package stack_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/alerts"
	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/redeploy"
)

// TestEveryTargetDeadLettersToTheQueue: on every committed stack and every
// variant, each EventBridge target of the stack's region (alerts, grace
// sweeps, redeployers) sends what it cannot deliver to the stack's
// dead-letter queue, the queue's policy admits its rule, and an alarm
// watches the rule's failed deliveries; so an event EventBridge gives up on
// is kept for 14 days and raises an alarm. The replica regions' forwarders
// are the named exception (they would need a queue, a key and a topic in
// each replica region; alerts/forward.go).
func TestEveryTargetDeadLettersToTheQueue(t *testing.T) {
	all := stacksAndVariants(t)
	kinds := map[string]int{}
	for _, name := range slices.Sorted(maps.Keys(all)) {
		t.Run(name, func(t *testing.T) {
			rec, cfg := parsed(t, all[name])
			queue := alertChildren(t, rec, "aws:sqs/queue:Queue")[0]
			policies := alertChildren(t, rec, "aws:sqs/queuePolicy:QueuePolicy")
			require.Len(t, policies, 1)
			doc, err := iam.Parse(policies[0].Str("policy"))
			require.NoError(t, err)
			var admitted []string
			for _, s := range doc.Statement {
				if s.Effect == iam.Allow {
					admitted = append(admitted, s.Condition["ArnLike"]["aws:SourceArn"]...)
				}
			}
			alarmed := map[string]bool{}
			for _, a := range rec.OfType(mockrun.TypeMetricAlarm) {
				if a.Str("namespace") == "AWS/Events" && a.Str("metricName") == "FailedInvocations" {
					alarmed[a.Str("dimensions.RuleName")] = true
				}
			}
			rules := map[string]mockrun.Resource{}
			for _, r := range rec.OfType(mockrun.TypeEventRule) {
				rules[r.Region+"/"+r.StateStr("name")] = r
			}
			acct := iam.Account{ID: rec.Account(), Partition: "aws", Region: rec.Region, DNSSuffix: "amazonaws.com"}
			for _, tg := range rec.OfType(mockrun.TypeEventTarget) {
				rule := tg.Str("rule")
				if tg.Region != rec.Region {
					assert.Equal(t, alerts.ForwardRuleName(cfg.Environment), rule, "the only targets outside the stack's region are the forwarders")
					assert.Empty(t, tg.Str("deadLetterConfig.arn"), "forwarder %s: a queue here would be another region's", tg.Name)
					kinds["forwarder"]++
					continue
				}
				_, ok := rules[rec.Region+"/"+rule]
				require.True(t, ok, "target %s names rule %s the stack registers", tg.Name, rule)
				assert.Equal(t, queue.StateStr("arn"), tg.Str("deadLetterConfig.arn"), "target %s of rule %s dead-letters to the stack's queue", tg.Name, rule)
				arn := iam.EventRuleARN(acct, rule)
				assert.True(t, slices.ContainsFunc(admitted, func(p string) bool { return iam.ArnLike(p, arn) }),
					"the queue policy admits rule %s (admits %v)", rule, admitted)
				assert.True(t, alarmed[rule], "an alarm watches the failed deliveries of rule %s", rule)
				age, ok := tg.Int("retryPolicy.maximumEventAgeInSeconds")
				assert.True(t, ok && age > 0 && age <= 86400, "target %s retries for a bounded time (%d s)", tg.Name, age)
				switch {
				case strings.HasSuffix(rule, "-sweep"):
					kinds["sweep"]++
				case strings.HasSuffix(rule, "-redeploy"):
					kinds["redeploy"]++
					assert.Equal(t, redeploy.NamesOf(cfg.Environment, strings.TrimSuffix(strings.TrimPrefix(rule, cfg.Environment+"-"), "-redeploy")).Rule, rule)
				default:
					kinds["alert"]++
				}
			}
			// Nothing else may write to the queue: no pattern admits a rule
			// of another environment or one that is neither sweep nor
			// redeployer.
			for _, other := range []string{"x" + cfg.Environment + "-a-sweep", cfg.Environment + "-intruder", cfg.Environment + "-a-sweep-b"} {
				arn := iam.EventRuleARN(acct, other)
				assert.False(t, slices.ContainsFunc(admitted, func(p string) bool { return iam.ArnLike(p, arn) }), "the queue policy admits %s", other)
			}
		})
	}
	for _, kind := range []string{"alert", "sweep", "redeploy", "forwarder"} {
		assert.Positive(t, kinds[kind], "no stack has a %s target: the test proves nothing about them", kind)
	}
	t.Logf("targets checked: %v", kinds)
}
