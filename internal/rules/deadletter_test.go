package rules_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/internal/rules"
)

// targetOf matches the event target of a rule whose name ends in suffix.
func targetOf(suffix string) func(mockrun.Resource) bool {
	return func(r mockrun.Resource) bool {
		return r.Type == mockrun.TypeEventTarget && strings.HasSuffix(r.Str("rule"), suffix)
	}
}

// TestRule22CatchesEachLostEvent breaks, one at a time, what keeps an event
// EventBridge gives up on: the target's queue, the queue policy's admission
// of its rule, the alarm on its rule; and shows the forwarders' named
// exception applies only to a forwarder in a replica region.
func TestRule22CatchesEachLostEvent(t *testing.T) {
	require.True(t, slices.ContainsFunc(rules.Exceptions(), func(e rules.Exception) bool {
		return e.Rule == 22 && e.Name == rules.ExceptionForwarderWithoutDeadLetters && e.Why != ""
	}), "exceptions, got %v, want rule 22 %s", rules.Exceptions(), rules.ExceptionForwarderWithoutDeadLetters)
	// The variant with every feature has redeployers and grace sweeps.
	rec := variantRecording(t, mockrun.VariantEverything)
	replicas := replicaRecording(t)
	dropDLQ := func(r *mockrun.Resource) { delete(r.Inputs, "deadLetterConfig") }
	cases := []struct {
		name string
		rec  *mockrun.Recording
		want string
	}{
		{"a sweep without a dead-letter queue", brokenWhere(rec, targetOf("-sweep"), dropDLQ), "has no dead-letter queue"},
		{"a redeployer without a dead-letter queue", brokenWhere(rec, targetOf("-redeploy"), dropDLQ), "has no dead-letter queue"},
		{"an alert dead-lettering to another account's queue", brokenWhere(rec, targetOf("-alert-path-tampering"), func(r *mockrun.Resource) {
			r.Inputs["deadLetterConfig"] = resource.NewPropertyValue(map[string]any{"arn": "arn:aws:sqs:eu-west-1:999988887777:prod-alerts-dead-letters"})
		}), "has no dead-letter queue of the stack"},
		{"a queue policy that admits only the alert rules", brokenWhere(rec, func(r mockrun.Resource) bool { return r.Type == "aws:sqs/queuePolicy:QueuePolicy" },
			editPolicy(t, func(d *iam.Document) {
				d.Statement[0].Condition["ArnLike"]["aws:SourceArn"] = slices.DeleteFunc(d.Statement[0].Condition["ArnLike"]["aws:SourceArn"], func(p string) bool {
					return strings.HasSuffix(p, "-sweep")
				})
			})), "does not admit rule prod-rotate-"},
		{"a sweep nobody alarms on", brokenWhere(rec, func(r mockrun.Resource) bool {
			return r.Type == mockrun.TypeMetricAlarm && strings.HasSuffix(r.Str("name"), "-sweep-failed-deliveries")
		}, func(r *mockrun.Resource) {
			r.Inputs["dimensions"] = resource.NewPropertyValue(map[string]any{"RuleName": "prod-other"})
		}), "no alarm watches the failed deliveries of rule prod-rotate-"},
		{"a forwarder in the stack's own region", brokenWhere(replicas, func(r mockrun.Resource) bool {
			return r.Type == mockrun.TypeEventTarget && r.Region != replicas.Region
		}, func(r *mockrun.Resource) { r.Region = replicas.Region }), "has no dead-letter queue"},
		{"a replica region's target that is not a forwarder", brokenWhere(replicas, func(r mockrun.Resource) bool {
			return r.Type == mockrun.TypeEventTarget && r.Region != replicas.Region
		}, func(r *mockrun.Resource) {
			r.Inputs["arn"] = resource.NewPropertyValue("arn:aws:lambda:us-east-1:111122223333:function:prod-x")
		}), "is not a forwarder"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			vs := rules.Check(tc.rec)
			i := slices.IndexFunc(vs, func(v rules.Violation) bool { return v.Rule == 22 && strings.Contains(v.Message, tc.want) })
			assert.GreaterOrEqual(t, i, 0, "want rule 22 %q, got %v", tc.want, vs)
		})
	}
}
