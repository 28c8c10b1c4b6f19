package stack_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/alerts"
	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/internal/rules"
	"github.com/acme/secrets-platform/stack"
)

func TestAlertTopicOnEveryStack(t *testing.T) {
	for name, st := range stacks(t) {
		t.Run(name, func(t *testing.T) {
			rec, cfg := parsed(t, st)
			topics := rec.OfType(mockrun.TypeTopic)
			require.Len(t, topics, 1, "got %d alert topics, want 1", len(topics))
			topic := topics[0]
			assert.Equal(t, alerts.TopicName(cfg.Environment), topic.Str("name"))
			platform, ok := rec.Named("platform-key-key")
			require.True(t, ok, "the platform key is registered")
			assert.Equal(t, platform.StateStr("arn"), topic.Str("kmsMasterKeyId"), "got the topic's key %q, want the platform key", topic.Str("kmsMasterKeyId"))
			assert.Equal(t, topic.StateStr("arn"), rec.Outputs["alertTopicArn"].Value, "alertTopicArn output")
			assert.Equal(t, alerts.TopicName(cfg.Environment), rec.Outputs["alertTopicName"].Value, "alertTopicName output")

			var emails []string
			for _, s := range rec.OfType("aws:sns/topicSubscription:TopicSubscription") {
				assert.Equal(t, topic.StateStr("arn"), s.Str("topic"), "subscription %s is on the alert topic", s.Name)
				if s.Str("protocol") == "email" {
					emails = append(emails, s.Str("endpoint"))
				}
			}
			require.NotEmpty(t, cfg.Alerts.Emails, "committed stacks name someone to alert")
			assert.ElementsMatch(t, cfg.Alerts.Emails, emails, "got subscriptions %v, want %v", emails, cfg.Alerts.Emails)
		})
	}
}

func TestTopicAndKeyAdmitOnlyThisStacksRulesAndAlarms(t *testing.T) {
	for name, st := range stacks(t) {
		t.Run(name, func(t *testing.T) {
			rec, cfg := parsed(t, st)
			acct := accountOf(t, st)
			wantSources := map[string]string{
				"events.amazonaws.com":     fmt.Sprintf("arn:aws:events:%s:%s:rule/%s-*", cfg.Region, acct, cfg.Environment),
				"cloudwatch.amazonaws.com": fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s-*", cfg.Region, acct, cfg.Environment),
			}
			policies := rec.OfType(mockrun.TypeTopicPolicy)
			require.Len(t, policies, 1)
			topicDoc, err := iam.Parse(policies[0].Str("policy"))
			require.NoError(t, err)
			got := map[string]string{}
			for _, s := range topicDoc.Statement {
				if s.Principal == nil {
					continue
				}
				for _, svc := range s.Principal.Service {
					got[svc] = strings.Join(s.Condition["ArnLike"]["aws:SourceArn"], ",")
					assert.Equal(t, iam.Strings{acct}, s.Condition["StringEquals"]["aws:SourceAccount"], "%s: aws:SourceAccount", s.Sid)
				}
			}
			assert.Equal(t, wantSources, got, "got topic policy sources %v, want %v", got, wantSources)

			// The platform key lets both services use it for this topic only.
			topicArn := rec.OfType(mockrun.TypeTopic)[0].StateStr("arn")
			platform, _ := rec.Named("platform-key-key")
			keyDoc, err := iam.Parse(platform.Str("policy"))
			require.NoError(t, err)
			keyServices := map[string]bool{}
			for _, s := range keyDoc.Statement {
				if s.Principal == nil {
					continue
				}
				for _, svc := range s.Principal.Service {
					if _, ok := wantSources[svc]; !ok {
						continue
					}
					keyServices[svc] = true
					if q, ok := s.Condition["StringEquals"]["kms:EncryptionContext:aws:sqs:arn"]; ok && svc == "events.amazonaws.com" {
						assert.Equal(t, iam.Strings{alerts.DeadLetterQueueARN(iamAccount(t, st), cfg.Environment)}, q, "EventBridge's dead-letter grant is for the alert queue only")
						continue
					}
					assert.Equal(t, iam.Strings{topicArn}, s.Condition["StringEquals"]["kms:EncryptionContext:aws:sns:topicArn"],
						"got %s's key grant conditioned on %v, want the alert topic %s", svc, s.Condition, topicArn)
				}
			}
			assert.Len(t, keyServices, 2, "got key grants for %v, want EventBridge and CloudWatch", keyServices)
			// Every rule's and alarm's ARN is one the grants admit.
			admitted := func(arn, pattern string) bool { return strings.HasPrefix(arn, strings.TrimSuffix(pattern, "*")) }
			for svc, typ := range map[string]string{"events.amazonaws.com": mockrun.TypeEventRule, "cloudwatch.amazonaws.com": mockrun.TypeMetricAlarm} {
				children := alertChildren(t, rec, typ)
				require.NotEmpty(t, children, "the alerts component registers %s", typ)
				for _, r := range children {
					assert.True(t, admitted(r.StateStr("arn"), wantSources[svc]), "got %s ARN %q, want one matching %q", typ, r.StateStr("arn"), wantSources[svc])
				}
			}
		})
	}
}

// alertArgs are the alerts.Args the stack passes, rebuilt from its config,
// for the parts that decide the rules.
func alertArgs(t *testing.T, st mockrun.Stack, cfg config.Config) *alerts.Args {
	t.Helper()
	var manual []string
	for _, s := range cfg.Secrets {
		if !s.Rotation.Strategy.Automatic() {
			manual = append(manual, s.Name)
		}
	}
	return &alerts.Args{Environment: cfg.Environment, Account: iamAccount(t, st), ManualSecrets: manual, MaxSecretAgeDays: cfg.MaxSecretAgeDays,
		OperatorRoleARNs: cfg.Alerts.OperatorRoleARNs}
}

// iamAccount is the account the mocks deploy the stack into.
func iamAccount(t *testing.T, st mockrun.Stack) iam.Account {
	t.Helper()
	_, cfg := parsed(t, st)
	return iam.Account{ID: accountOf(t, st), Partition: "aws", Region: cfg.Region, DNSSuffix: "amazonaws.com"}
}

// TestEventRulesOnEveryStack: the stack registers exactly alerts.Rules for
// its config (whose patterns detection_test.go runs through moto), each
// delivering to the topic with the dead-letter queue, EventBridge's retry
// maxima and the severity in the message.
func TestEventRulesOnEveryStack(t *testing.T) {
	for name, st := range stacks(t) {
		t.Run(name, func(t *testing.T) {
			rec, cfg := parsed(t, st)
			want, err := alerts.Rules(alertArgs(t, st, cfg))
			require.NoError(t, err)
			registered := map[string]mockrun.Resource{}
			for _, r := range alertChildren(t, rec, mockrun.TypeEventRule) {
				registered[r.Str("name")] = r
			}
			require.Len(t, registered, len(want), "got rules %v", keys(registered))
			require.Len(t, want, alerts.RuleCount(len(alertArgs(t, st, cfg).ManualSecrets), len(cfg.Alerts.OperatorRoleARNs)), "the rule budget counts what is registered")

			queues := alertChildren(t, rec, "aws:sqs/queue:Queue")
			require.Len(t, queues, 1, "one dead-letter queue")
			dlq := queues[0].StateStr("arn")
			topic := rec.OfType(mockrun.TypeTopic)[0].StateStr("arn")
			targets := map[string]mockrun.Resource{}
			for _, tg := range alertChildren(t, rec, mockrun.TypeEventTarget) {
				targets[tg.Str("rule")] = tg
			}
			for _, w := range want {
				r, ok := registered[w.Name]
				if !assert.True(t, ok, "rule %s is registered", w.Name) {
					continue
				}
				assert.JSONEq(t, w.Pattern, r.Str("eventPattern"), "rule %s's pattern", w.Name)
				assert.Equal(t, "ENABLED", r.Str("state"))
				tg, ok := targets[w.Name]
				if !assert.True(t, ok, "rule %s has a target", w.Name) {
					continue
				}
				assert.Equal(t, topic, tg.Str("arn"), "rule %s delivers to the alert topic", w.Name)
				assert.Equal(t, dlq, tg.Str("deadLetterConfig.arn"), "rule %s's undeliverable events go to the dead-letter queue", w.Name)
				age, _ := tg.Int("retryPolicy.maximumEventAgeInSeconds")
				attempts, _ := tg.Int("retryPolicy.maximumRetryAttempts")
				assert.Equal(t, []int{86400, 185}, []int{age, attempts}, "rule %s retries for 24 hours", w.Name)
				tmpl, err := alerts.MessageTemplate(w)
				require.NoError(t, err)
				assert.Equal(t, tmpl, tg.Str("inputTransformer.inputTemplate"))
			}

			cfgRules := rec.OfType(mockrun.TypeConfigRule)
			require.Len(t, cfgRules, 1)
			var params map[string]string
			require.NoError(t, cfgRules[0].JSON("inputParameters", &params))
			assert.Equal(t, fmt.Sprint(cfg.MaxSecretAgeDays), params["maxDaysSinceRotation"])
			assert.Equal(t, alerts.AgeRuleName(cfg.Environment), cfgRules[0].Str("name"))
			// The rule's tag scope must match the tag the catalog puts on manual secrets.
			for _, s := range cfg.Secrets {
				sec := secretResource(t, rec, s.Name)
				if s.Rotation.Strategy.Automatic() {
					assert.NotEqual(t, cfgRules[0].Str("scope.tagValue"), sec.Tags()[cfgRules[0].Str("scope.tagKey")], "%s is automatic, not in the age rule's scope", s.Name)
				} else {
					assert.Equal(t, cfgRules[0].Str("scope.tagValue"), sec.Tags()[cfgRules[0].Str("scope.tagKey")], "%s is manual, in the age rule's scope", s.Name)
				}
			}
		})
	}
}

// TestDeadLetterQueueOnEveryStack: one queue, encrypted with the platform
// key, that only the stack's alert rules (by exact ARN) and its grace
// sweeps (by their pattern, when it has any) may send to.
func TestDeadLetterQueueOnEveryStack(t *testing.T) {
	for name, st := range stacks(t) {
		t.Run(name, func(t *testing.T) {
			rec, cfg := parsed(t, st)
			queues := alertChildren(t, rec, "aws:sqs/queue:Queue")
			require.Len(t, queues, 1)
			q := queues[0]
			assert.Equal(t, alerts.DeadLetterQueueName(cfg.Environment), q.Str("name"))
			platform, ok := rec.Named("platform-key-key")
			require.True(t, ok)
			assert.Equal(t, platform.StateStr("arn"), q.Str("kmsMasterKeyId"), "encrypted with the platform key")
			retention, _ := q.Int("messageRetentionSeconds")
			assert.Equal(t, 1209600, retention, "lost alerts kept 14 days")

			policies := alertChildren(t, rec, "aws:sqs/queuePolicy:QueuePolicy")
			require.Len(t, policies, 1)
			assert.Equal(t, q.StateStr("url"), policies[0].Str("queueUrl"))
			doc, err := iam.Parse(policies[0].Str("policy"))
			require.NoError(t, err)
			var ruleArns []string
			for _, r := range alertChildren(t, rec, mockrun.TypeEventRule) {
				ruleArns = append(ruleArns, r.StateStr("arn"))
			}
			var allows int
			for _, s := range doc.Statement {
				require.NotNil(t, s.Principal, s.Sid)
				if s.Effect == iam.Deny {
					assert.Equal(t, iam.Strings{"false"}, s.Condition["Bool"]["aws:SecureTransport"], "the only deny refuses plain HTTP")
					continue
				}
				allows++
				assert.False(t, s.Principal.Any, "no * principal in an allow")
				assert.Equal(t, iam.Strings{"events.amazonaws.com"}, s.Principal.Service)
				assert.Equal(t, iam.Strings{"sqs:SendMessage"}, s.Action)
				assert.Equal(t, iam.Strings{q.StateStr("arn")}, s.Resource)
				want := slices.Concat(ruleArns, alerts.DeadLetterPatterns(iamAccount(t, st), cfg.Environment, hasSweep(rec), len(rec.OfType("secrets-platform:redeploy:Redeployer")) > 0))
				assert.ElementsMatch(t, want, s.Condition["ArnLike"]["aws:SourceArn"], "exactly the stack's alert rules, and its sweeps' and redeployers' patterns")
				assert.Equal(t, iam.Strings{accountOf(t, st)}, s.Condition["StringEquals"]["aws:SourceAccount"])
			}
			assert.Equal(t, 1, allows)
		})
	}
}

// TestLostAlertsAlarmOnEveryStack: each alert rule's failed deliveries and
// the dead-letter queue's depth alarm to the topic.
func TestLostAlertsAlarmOnEveryStack(t *testing.T) {
	for name, st := range stacks(t) {
		t.Run(name, func(t *testing.T) {
			rec, cfg := parsed(t, st)
			topic := rec.OfType(mockrun.TypeTopic)[0].StateStr("arn")
			alarmsByName := map[string]mockrun.Resource{}
			for _, a := range alertChildren(t, rec, mockrun.TypeMetricAlarm) {
				alarmsByName[a.Str("name")] = a
				assert.Equal(t, []string{topic}, a.Strings("alarmActions"), "alarm %s notifies the topic", a.Str("name"))
			}
			rules := alertChildren(t, rec, mockrun.TypeEventRule)
			require.NotEmpty(t, rules)
			for _, r := range rules {
				a, ok := alarmsByName[alerts.RuleAlarmName(r.Str("name"))]
				if !assert.True(t, ok, "rule %s has a failed-deliveries alarm", r.Str("name")) {
					continue
				}
				assert.Equal(t, "AWS/Events", a.Str("namespace"))
				assert.Equal(t, "FailedInvocations", a.Str("metricName"))
				assert.Equal(t, r.StateStr("name"), a.Str("dimensions.RuleName"))
				assert.Equal(t, "GreaterThanOrEqualToThreshold", a.Str("comparisonOperator"))
			}
			q := alertChildren(t, rec, "aws:sqs/queue:Queue")[0]
			a, ok := alarmsByName[alerts.DeadLetterAlarmName(cfg.Environment)]
			require.True(t, ok, "the dead-letter queue has an alarm")
			assert.Equal(t, "AWS/SQS", a.Str("namespace"))
			assert.Equal(t, "ApproximateNumberOfMessagesVisible", a.Str("metricName"))
			assert.Equal(t, q.StateStr("name"), a.Str("dimensions.QueueName"))
			assert.Equal(t, "GreaterThanThreshold", a.Str("comparisonOperator"))
			threshold, _ := a.Input("threshold")
			assert.Equal(t, 0.0, threshold.V, "any message at all")

			var sweeps int
			for _, r := range rec.OfType(mockrun.TypeEventRule) {
				if !strings.HasSuffix(r.Str("name"), "-sweep") {
					continue
				}
				sweeps++
				a, ok := alarmsByName[alerts.RuleAlarmName(r.Str("name"))]
				if assert.True(t, ok, "sweep %s has a failed-deliveries alarm", r.Str("name")) {
					assert.Equal(t, "FailedInvocations", a.Str("metricName"))
					assert.Equal(t, r.Str("name"), a.Str("dimensions.RuleName"))
				}
			}
			var functions map[string]string
			require.NoError(t, rotDecode(rec.Outputs["rotationFunctions"].Value, &functions))
			rotators := len(slices.Compact(slices.Sorted(maps.Values(functions))))
			assert.Len(t, alarmsByName, 2*rotators+len(rules)+sweeps+1)
			assert.Equal(t, alerts.AlarmCount(rotators, len(rules), sweeps), len(alarmsByName), "the cost estimate counts every alarm of the alerts")
		})
	}
}

// TestRotatorsAreNamedWhatTheDetectionsExclude: the detections tell the
// rotators' own puts and stage moves from people's by the name prefix of
// their functions and roles; every rotator must carry it, or its every
// rotation would raise a false alert (and a function outside it, a missed one).
func TestRotatorsAreNamedWhatTheDetectionsExclude(t *testing.T) {
	for name, st := range stacks(t) {
		t.Run(name, func(t *testing.T) {
			rec, cfg := parsed(t, st)
			prefix := alerts.RotatorNamePrefix(cfg.Environment)
			fns := rec.OfType(mockrun.TypeFunction)
			require.NotEmpty(t, fns)
			for _, fn := range fns {
				assert.True(t, strings.HasPrefix(fn.Str("name"), prefix), "function %s starts with %s", fn.Str("name"), prefix)
				// A Lambda session is assumed-role/<role>/<function>: the role must carry the prefix too.
				role := fn.Str("role")
				assert.True(t, strings.HasPrefix(role[strings.LastIndex(role, "/")+1:], prefix), "function %s runs as role %s", fn.Str("name"), role)
			}
		})
	}
}

func secretResource(t *testing.T, rec *mockrun.Recording, name string) mockrun.Resource {
	t.Helper()
	for _, s := range rec.OfType(mockrun.TypeSecret) {
		if s.Str("name") == name {
			return s
		}
	}
	require.Failf(t, "no secret", "got no secret named %s", name)
	return mockrun.Resource{}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestRotationFunctionAlarmsOnEveryStack does not pass vacuously: the
// expectation comes from the config (every automatically rotated secret has
// a function, and that function its alarms), not from what the rotation
// layer registered.
func TestRotationFunctionAlarmsOnEveryStack(t *testing.T) {
	for name, st := range stacks(t) {
		t.Run(name, func(t *testing.T) {
			rec, cfg := parsed(t, st)
			alarms := map[string]mockrun.Resource{}
			for _, a := range rec.OfType(mockrun.TypeMetricAlarm) {
				alarms[a.Str("name")] = a
			}
			var fnNames map[string]string
			require.NoError(t, rotDecode(rec.Outputs["rotationFunctions"].Value, &fnNames))
			var want int
			topic := rec.OfType(mockrun.TypeTopic)[0].StateStr("arn")
			for _, s := range cfg.Secrets {
				if !s.Rotation.Strategy.Automatic() {
					continue
				}
				want++
				fn := fnNames[s.Name]
				if !assert.NotEmpty(t, fn, "got no rotation function for %s in the rotationFunctions output, want its group's", s.Name) {
					continue
				}
				errName, throttleName := alerts.AlarmNames(fn)
				for alarm, metric := range map[string]string{errName: "Errors", throttleName: "Throttles"} {
					a, ok := alarms[alarm]
					if !assert.True(t, ok, "got no alarm %s on %s, the function of %s, want one", alarm, fn, s.Name) {
						continue
					}
					assert.Equal(t, metric, a.Str("metricName"))
					assert.Equal(t, "AWS/Lambda", a.Str("namespace"))
					assert.Equal(t, fn, a.Str("dimensions.FunctionName"), "got alarm %s on %q, want the rotation function %q", alarm, a.Str("dimensions.FunctionName"), fn)
					assert.Equal(t, []string{topic}, a.Strings("alarmActions"))
				}
			}
			require.Positive(t, want, "committed stacks rotate at least one secret with a function we build")
		})
	}
}

func TestCostEstimateOnEveryStack(t *testing.T) {
	for name, st := range stacks(t) {
		t.Run(name, func(t *testing.T) {
			rec, cfg := parsed(t, st)
			out, ok := rec.Outputs["estimatedMonthlyCost"]
			require.True(t, ok, "got no estimatedMonthlyCost output")
			var e struct {
				PricesAsOf string  `json:"pricesAsOf"`
				Total      float64 `json:"totalMonthlyUsd"`
				Lines      []struct {
					Item    string  `json:"item"`
					Monthly float64 `json:"monthlyUsd"`
				} `json:"lines"`
			}
			b, err := json.Marshal(out.Value)
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(b, &e))
			assert.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, e.PricesAsOf)
			var sum float64
			items := map[string]float64{}
			for _, l := range e.Lines {
				sum += l.Monthly
				items[l.Item] = l.Monthly
			}
			assert.InDelta(t, sum, e.Total, 0.01, "got total %v, want the sum %v", e.Total, sum)
			wantSecrets := float64(len(cfg.Secrets)+1) * 0.40 // + the RDS-managed master secret
			assert.InDelta(t, wantSecrets, items["Secrets Manager secrets"], 0.001)
			assert.Equal(t, 2.0, items["KMS customer-managed keys"])
			assert.Positive(t, items["Secrets Manager API calls (cache refreshes)"], "cache calls are priced")
		})
	}
}

// TestRunbooksNamedByStacksExist: a manual secret's reason points at a
// runbook; the file must be there.
func TestRunbooksNamedByStacksExist(t *testing.T) {
	ref := regexp.MustCompile(`docs/runbooks/[a-z0-9-]+\.md`)
	for name, st := range stacks(t) {
		t.Run(name, func(t *testing.T) {
			_, cfg := parsed(t, st)
			var n int
			for _, s := range cfg.Secrets {
				if s.Rotation.Strategy != config.Manual {
					continue
				}
				for _, path := range ref.FindAllString(s.Rotation.ManualReason, -1) {
					n++
					_, err := os.Stat(filepath.Join("..", path))
					assert.NoError(t, err, "secret %s names runbook %s", s.Name, path)
				}
			}
			assert.Positive(t, n, "got no runbook reference in the manual secrets' reasons")
		})
	}
}

// TestAlertRulesCatchWhatTheyClaim proves each alert rule fails when its
// subject is removed or broken, so the rules cannot pass vacuously.
func TestAlertRulesCatchWhatTheyClaim(t *testing.T) {
	st, err := mockrun.LoadStack("..", "prod")
	require.NoError(t, err)
	tests := []struct {
		name   string
		mutate func(rec *mockrun.Recording)
	}{
		{"no age rule", func(rec *mockrun.Recording) { drop(rec, mockrun.TypeConfigRule) }},
		{"no alarms", func(rec *mockrun.Recording) { drop(rec, mockrun.TypeMetricAlarm) }},
		{"event rule without target", func(rec *mockrun.Recording) { drop(rec, mockrun.TypeEventTarget) }},
		{"topic not on the stack's key", func(rec *mockrun.Recording) {
			setInput(rec, mockrun.TypeTopic, "kmsMasterKeyId", "alias/aws/sns")
		}},
		{"unconditioned service grant on the topic", func(rec *mockrun.Recording) {
			setInput(rec, mockrun.TypeTopicPolicy, "policy", mustJSON(t, iam.New(iam.Statement{
				Sid: "Open", Effect: iam.Allow, Principal: &iam.Principal{Service: iam.Strings{"events.amazonaws.com"}},
				Action: iam.Strings{"sns:Publish"}, Resource: iam.Strings{"*"},
			})))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := mockrun.Run(st, stack.Compose)
			require.NoError(t, err)
			before := len(rules.Check(rec))
			tt.mutate(rec)
			after := len(rules.Check(rec))
			assert.Greater(t, after, before, "got %d violations after %s, want more than the %d before", after, tt.name, before)
		})
	}
}

func drop(rec *mockrun.Recording, typ string) {
	rec.Resources = slices.DeleteFunc(rec.Resources, func(r mockrun.Resource) bool { return r.Type == typ })
}

func setInput(rec *mockrun.Recording, typ, key, value string) {
	for i, r := range rec.Resources {
		if r.Type == typ {
			in := r.Inputs.Copy()
			in[resource.PropertyKey(key)] = resource.NewStringProperty(value)
			rec.Resources[i].Inputs = in
		}
	}
}

func mustJSON(t *testing.T, d iam.Document) string {
	t.Helper()
	s, err := d.JSON()
	require.NoError(t, err)
	return s
}

// alertChildren are the resources of a type that the alerts component owns
// (other layers register event rules too, e.g. schedules).
func alertChildren(t *testing.T, rec *mockrun.Recording, typ string) []mockrun.Resource {
	t.Helper()
	comps := rec.OfType("secrets-platform:alerts:Alerts")
	require.Len(t, comps, 1, "got %d alerts components, want 1", len(comps))
	var out []mockrun.Resource
	for _, c := range rec.Children(comps[0]) {
		if c.Type == typ {
			out = append(out, c)
		}
	}
	return out
}

// hasSweep reports whether the stack registered a grace sweep's schedule.
func hasSweep(rec *mockrun.Recording) bool {
	return slices.ContainsFunc(rec.OfType(mockrun.TypeEventRule), func(r mockrun.Resource) bool {
		return strings.HasSuffix(r.Str("name"), "-sweep")
	})
}
