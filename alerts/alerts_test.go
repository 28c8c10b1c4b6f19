package alerts_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/alerts"
	"github.com/acme/secrets-platform/iam"
)

func TestRulesAreStableNamedAndWithinEventBridgesLimits(t *testing.T) {
	args := &alerts.Args{Environment: "prod", Account: prodAccount, ManualSecrets: []string{"/prod/app/stripe", "/prod/app/openai"}, MaxSecretAgeDays: 90,
		OperatorRoleARNs: []string{"arn:aws:iam::111122223333:role/secrets-operator"}}
	first, err := alerts.Rules(args)
	require.NoError(t, err)
	second, err := alerts.Rules(args)
	require.NoError(t, err)
	assert.Equal(t, first, second, "two renderings differ")
	assert.Len(t, first, alerts.RuleCount(2, 1))
	severities := map[string]string{}
	for _, r := range first {
		severities[r.Name] = r.Severity
		assert.True(t, strings.HasPrefix(r.Name, "prod-"), "%s: the topic and key admit only rules named prod-*", r.Name)
		assert.LessOrEqual(t, len(r.Pattern), 2048, "%s: EventBridge's default pattern size quota", r.Name)
		var p map[string]any
		require.NoError(t, json.Unmarshal([]byte(r.Pattern), &p), r.Name)
		tmpl, err := alerts.MessageTemplate(r)
		require.NoError(t, err)
		// The template is JSON once EventBridge substitutes the event.
		var msg map[string]any
		require.NoError(t, json.Unmarshal([]byte(strings.ReplaceAll(tmpl, "<aws.events.event.json>", `{"id":"1"}`)), &msg), tmpl)
		assert.Equal(t, r.Severity, msg["severity"])
		assert.Equal(t, "<aws.events.rule-name>", msg["alert"])
	}
	assert.Equal(t, map[string]string{
		"prod-secret-rotation-failed": "high", "prod-secrets-dangerous-calls": "high", "prod-secrets-changed-by-people": "high",
		"prod-alert-path-tampering": "high", "prod-break-glass-used": "high", "prod-secret-replication": "high",
		"prod-secret-value-put-by-operator": "info", "prod-manual-secret-too-old": "warning",
	}, severities)

	without, err := alerts.Rules(&alerts.Args{Environment: "prod", Account: prodAccount})
	require.NoError(t, err)
	assert.Len(t, without, alerts.RuleCount(0, 0), "no operator rule without operator roles, no age rule without manual secrets")
	pattern, err := alerts.OperatorPutPattern(alerts.Detection{Environment: "prod", Account: prodAccount})
	require.NoError(t, err)
	assert.Empty(t, pattern)
}

// TestRulesRefuseAPatternEventBridgeWouldRefuse: a pattern over EventBridge's
// quota fails the program, not the deploy. Only a long list of operator roles
// can make one; the catalog's size never does (patterns name no secret).
func TestRulesRefuseAPatternEventBridgeWouldRefuse(t *testing.T) {
	var roles []string
	for i := range 60 {
		roles = append(roles, fmt.Sprintf("arn:aws:iam::111122223333:role/operators/team-%02d-secrets-operator", i))
	}
	_, err := alerts.Rules(&alerts.Args{Environment: "prod", Account: prodAccount, OperatorRoleARNs: roles})
	assert.ErrorContains(t, err, "exceeds EventBridge's 2048")

	var manual []string
	for i := range 2000 {
		manual = append(manual, fmt.Sprintf("/prod/vendors/vendor-%04d-api-key", i))
	}
	_, err = alerts.Rules(&alerts.Args{Environment: "prod", Account: prodAccount, ManualSecrets: manual, MaxSecretAgeDays: 90,
		OperatorRoleARNs: []string{"arn:aws:iam::111122223333:role/secrets-operator"}})
	assert.NoError(t, err, "2,000 manual secrets make no pattern longer")
}

func TestTopicPolicyAdmitsOnlyThisStacksRulesAndAlarms(t *testing.T) {
	topic := alerts.TopicARN(iam.Account{ID: "111122223333", Partition: "aws", Region: "eu-west-1", DNSSuffix: "amazonaws.com"}, "prod")
	doc := alerts.TopicPolicy(topic, iam.Account{ID: "111122223333", Partition: "aws", Region: "eu-west-1", DNSSuffix: "amazonaws.com"}, "prod")
	want := map[string]string{
		"events.amazonaws.com":     "arn:aws:events:eu-west-1:111122223333:rule/prod-*",
		"cloudwatch.amazonaws.com": "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:prod-*",
	}
	got := map[string]string{}
	for _, s := range doc.Statement {
		if s.Effect != iam.Allow {
			assert.Equal(t, iam.Strings{"false"}, s.Condition["Bool"]["aws:SecureTransport"], "the only deny refuses plain HTTP")
			continue
		}
		require.NotNil(t, s.Principal)
		assert.False(t, s.Principal.Any, "%s: no * principal in an allow", s.Sid)
		require.Len(t, s.Principal.Service, 1)
		got[s.Principal.Service[0]] = s.Condition["ArnLike"]["aws:SourceArn"][0]
		assert.Equal(t, iam.Strings{"111122223333"}, s.Condition["StringEquals"]["aws:SourceAccount"], "%s: source account", s.Sid)
		assert.Equal(t, iam.Strings{"sns:Publish"}, s.Action)
		assert.Equal(t, iam.Strings{topic}, s.Resource)
	}
	assert.Equal(t, want, got, "got sources %v, want %v", got, want)
}

func TestKeyStatementsAreGoodForTheAlertTopicAndQueueOnly(t *testing.T) {
	topic := "arn:aws:sns:eu-west-1:111122223333:prod-secrets-alerts"
	require.Equal(t, topic, alerts.TopicARN(iam.Account{ID: "111122223333", Partition: "aws", Region: "eu-west-1", DNSSuffix: "amazonaws.com"}, "prod"))
	stmts := alerts.KeyStatements(iam.Account{ID: "111122223333", Partition: "aws", Region: "eu-west-1", DNSSuffix: "amazonaws.com"}, "prod")
	require.Len(t, stmts, 3)
	queue := "arn:aws:sqs:eu-west-1:111122223333:prod-alerts-dead-letters"
	for _, s := range stmts {
		t.Run(s.Sid, func(t *testing.T) {
			// Each grant is good for one encryption context: the topic's, or the dead-letter queue's.
			ctx := s.Condition["StringEquals"]
			if q, ok := ctx["kms:EncryptionContext:aws:sqs:arn"]; ok {
				assert.Equal(t, iam.Strings{queue}, q)
				assert.NotContains(t, ctx, "kms:EncryptionContext:aws:sns:topicArn")
			} else {
				assert.Equal(t, iam.Strings{topic}, ctx["kms:EncryptionContext:aws:sns:topicArn"], "got %v, want the alert topic's encryption context", s.Condition)
			}
			assert.ElementsMatch(t, []string{"kms:Decrypt", "kms:GenerateDataKey"}, []string(s.Action))
			require.Len(t, s.Principal.Service, 1)
			switch s.Principal.Service[0] {
			case "cloudwatch.amazonaws.com":
				assert.Equal(t, iam.Strings{"arn:aws:cloudwatch:eu-west-1:111122223333:alarm:prod-*"}, s.Condition["ArnLike"]["aws:SourceArn"])
				assert.Equal(t, iam.Strings{"111122223333"}, s.Condition["StringEquals"]["aws:SourceAccount"])
			case "events.amazonaws.com":
				// EventBridge's KMS calls carry no aws:SourceArn: a condition on it would drop every alert.
				assert.NotContains(t, s.Condition, "ArnLike")
				assert.NotContains(t, s.Condition["StringEquals"], "aws:SourceAccount")
			default:
				t.Errorf("got unexpected service %s", s.Principal.Service[0])
			}
		})
	}
	doc := iam.New(stmts...)
	_, err := doc.JSON()
	require.NoError(t, err)
}

func TestNames(t *testing.T) {
	e, th := alerts.AlarmNames("prod-rotate-random-1a2b3c4d-0")
	assert.Equal(t, "prod-rotate-random-1a2b3c4d-0-errors", e)
	assert.Equal(t, "prod-rotate-random-1a2b3c4d-0-throttles", th)
	assert.Equal(t, "prod-secrets-alerts", alerts.TopicName("prod"))
	assert.Equal(t, "prod-manual-secret-age", alerts.AgeRuleName("prod"))
}

func TestQueuePolicyAdmitsOnlyTheGivenRules(t *testing.T) {
	queue := alerts.DeadLetterQueueARN(prodAccount, "prod")
	rules := []string{"arn:aws:events:eu-west-1:111122223333:rule/prod-break-glass-used", "arn:aws:events:eu-west-1:111122223333:rule/prod-alert-path-tampering"}
	doc := alerts.QueuePolicy(queue, prodAccount, rules)
	require.Len(t, doc.Statement, 2)
	allow := doc.Statement[0]
	assert.Equal(t, iam.Allow, allow.Effect)
	assert.Equal(t, iam.Strings{"events.amazonaws.com"}, allow.Principal.Service)
	assert.Equal(t, iam.Strings{"sqs:SendMessage"}, allow.Action)
	assert.Equal(t, iam.Strings{queue}, allow.Resource)
	assert.ElementsMatch(t, rules, allow.Condition["ArnLike"]["aws:SourceArn"], "the given rule ARNs and nothing else")
	assert.Equal(t, iam.Strings{"111122223333"}, allow.Condition["StringEquals"]["aws:SourceAccount"])
	assert.Equal(t, iam.Deny, doc.Statement[1].Effect)
	assert.Equal(t, iam.Strings{"false"}, doc.Statement[1].Condition["Bool"]["aws:SecureTransport"])
}

// TestDeadLetterPatternsAdmitOnlyTheEnvironmentsSweepsAndRedeployers: the
// queue admits the sweeps and redeployers by pattern (a hundred ARNs would
// not fit SQS's policy size; stack/scale_test.go measures it), and the
// patterns admit nothing else.
func TestDeadLetterPatternsAdmitOnlyTheEnvironmentsSweepsAndRedeployers(t *testing.T) {
	assert.Empty(t, alerts.DeadLetterPatterns(prodAccount, "prod", false, false), "no sweep, no redeployer: no pattern")
	patterns := alerts.DeadLetterPatterns(prodAccount, "prod", true, true)
	require.Len(t, patterns, 2)
	admitted := func(name string) bool {
		arn := iam.EventRuleARN(prodAccount, name)
		return slices.ContainsFunc(patterns, func(p string) bool { return iam.ArnLike(p, arn) })
	}
	for _, name := range []string{"prod-rotate-twilio-79933dafe97c2984-0-sweep", "prod-worker-redeploy"} {
		assert.True(t, admitted(name), "%s is admitted", name)
	}
	for _, name := range []string{"staging-rotate-twilio-1-sweep", "prod-intruder", "prod-worker-redeploy-x", "xprod-a-sweep"} {
		assert.False(t, admitted(name), "%s is not admitted", name)
	}
}
