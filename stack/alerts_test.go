package stack_test

import (
	"encoding/json"
	"fmt"
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
					if _, ok := wantSources[svc]; ok {
						keyServices[svc] = true
						assert.Equal(t, iam.Strings{topicArn}, s.Condition["StringEquals"]["kms:EncryptionContext:aws:sns:topicArn"],
							"got %s's key grant conditioned on %v, want the alert topic %s", svc, s.Condition, topicArn)
					}
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

// pattern is the part of an EventBridge pattern the alert rules use.
type pattern struct {
	Source     []string `json:"source"`
	DetailType []string `json:"detail-type"`
	Detail     struct {
		EventSource    []string `json:"eventSource"`
		EventName      []string `json:"eventName"`
		ConfigRuleName []string `json:"configRuleName"`
		NewEvaluation  struct {
			ComplianceType []string `json:"complianceType"`
		} `json:"newEvaluationResult"`
	} `json:"detail"`
}

func TestEventRulesOnEveryStack(t *testing.T) {
	for name, st := range stacks(t) {
		t.Run(name, func(t *testing.T) {
			rec, cfg := parsed(t, st)
			rules := map[string]pattern{}
			for _, r := range alertChildren(t, rec, mockrun.TypeEventRule) {
				var p pattern
				require.NoError(t, r.JSON("eventPattern", &p))
				rules[r.Str("name")] = p
			}
			env := cfg.Environment
			rot, ok := rules[env+"-secret-rotation-failed"]
			require.True(t, ok, "got rules %v, want the rotation rule", keys(rules))
			assert.Equal(t, []string{"AWS Service Event via CloudTrail"}, rot.DetailType)
			assert.ElementsMatch(t, []string{"RotationFailed", "RotationAbandoned", "TestRotationFailed"}, rot.Detail.EventName)

			danger, ok := rules[env+"-secrets-dangerous-calls"]
			require.True(t, ok, "got rules %v, want the dangerous-calls rule", keys(rules))
			assert.Equal(t, []string{"AWS API Call via CloudTrail"}, danger.DetailType)
			assert.ElementsMatch(t, []string{"DeleteSecret", "PutResourcePolicy", "DeleteResourcePolicy", "ScheduleKeyDeletion", "DisableKey", "PutKeyPolicy"}, danger.Detail.EventName)
			assert.ElementsMatch(t, []string{"secretsmanager.amazonaws.com", "kms.amazonaws.com"}, danger.Detail.EventSource)

			age, ok := rules[env+"-manual-secret-too-old"]
			require.True(t, ok, "committed stacks have manual secrets; got rules %v, want the age rule", keys(rules))
			assert.Equal(t, []string{alerts.AgeRuleName(env)}, age.Detail.ConfigRuleName)
			assert.Equal(t, []string{"NON_COMPLIANT"}, age.Detail.NewEvaluation.ComplianceType)

			cfgRules := rec.OfType(mockrun.TypeConfigRule)
			require.Len(t, cfgRules, 1)
			var params map[string]string
			require.NoError(t, cfgRules[0].JSON("inputParameters", &params))
			assert.Equal(t, fmt.Sprint(cfg.MaxSecretAgeDays), params["maxDaysSinceRotation"])
			assert.Equal(t, alerts.AgeRuleName(env), cfgRules[0].Str("name"))
			// The rule's tag scope must match the tag the catalog puts on manual secrets.
			for _, s := range cfg.Secrets {
				sec := secretResource(t, rec, s.Name)
				if s.Rotation.Strategy.Automatic() {
					assert.NotEqual(t, cfgRules[0].Str("scope.tagValue"), sec.Tags()[cfgRules[0].Str("scope.tagKey")], "%s is automatic, not in the age rule's scope", s.Name)
				} else {
					assert.Equal(t, cfgRules[0].Str("scope.tagValue"), sec.Tags()[cfgRules[0].Str("scope.tagKey")], "%s is manual, in the age rule's scope", s.Name)
				}
			}

			topic := rec.OfType(mockrun.TypeTopic)[0].StateStr("arn")
			targets := map[string]string{}
			for _, tg := range rec.OfType(mockrun.TypeEventTarget) {
				targets[tg.Str("rule")] = tg.Str("arn")
			}
			for rule := range rules {
				assert.Equal(t, topic, targets[rule], "got rule %s's target %q, want the alert topic", rule, targets[rule])
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
// expectation comes from the config (every automatically rotated secret
// whose function we build), not from what the rotation layer registered.
func TestRotationFunctionAlarmsOnEveryStack(t *testing.T) {
	for name, st := range stacks(t) {
		t.Run(name, func(t *testing.T) {
			rec, cfg := parsed(t, st)
			alarms := map[string]mockrun.Resource{}
			for _, a := range rec.OfType(mockrun.TypeMetricAlarm) {
				alarms[a.Str("name")] = a
			}
			fnNames := map[string]string{}
			if v, ok := rec.Outputs["rotationFunctions"].Value.(map[string]any); ok {
				for k, fn := range v {
					fnNames[k], _ = fn.(string)
				}
			}
			var want int
			topic := rec.OfType(mockrun.TypeTopic)[0].StateStr("arn")
			for _, s := range cfg.Secrets {
				if !s.Rotation.Strategy.Automatic() {
					continue
				}
				want++
				errName, throttleName := alerts.AlarmNames(cfg.Environment, s.Name)
				for alarm, metric := range map[string]string{errName: "Errors", throttleName: "Throttles"} {
					a, ok := alarms[alarm]
					if !assert.True(t, ok, "got no alarm %s for %s, want one", alarm, s.Name) {
						continue
					}
					assert.Equal(t, metric, a.Str("metricName"))
					assert.Equal(t, "AWS/Lambda", a.Str("namespace"))
					assert.NotEmpty(t, a.Str("dimensions.FunctionName"), "alarm %s names its function", alarm)
					if fn, ok := fnNames[s.Name]; ok {
						assert.Equal(t, fn, a.Str("dimensions.FunctionName"), "got alarm %s on %q, want the rotation function %q", alarm, a.Str("dimensions.FunctionName"), fn)
					}
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
