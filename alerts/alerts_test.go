package alerts_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/alerts"
	"github.com/acme/secrets-platform/iam"
)

func TestPatternsAreStableAndMatchTheirEvents(t *testing.T) {
	tests := []struct {
		name       string
		pattern    func() (string, error)
		detailType string
		names      []string
	}{
		{"rotation", alerts.RotationPattern, "AWS Service Event via CloudTrail", []string{"RotationAbandoned", "RotationFailed", "TestRotationFailed"}},
		{"dangerous calls", alerts.DangerousCallPattern, "AWS API Call via CloudTrail",
			[]string{"DisableKey", "PutKeyPolicy", "ScheduleKeyDeletion", "DeleteResourcePolicy", "DeleteSecret", "PutResourcePolicy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first, err := tt.pattern()
			require.NoError(t, err)
			second, err := tt.pattern()
			require.NoError(t, err)
			assert.Equal(t, first, second, "two renderings differ")
			var p struct {
				DetailType []string `json:"detail-type"`
				Detail     struct {
					EventName []string `json:"eventName"`
				} `json:"detail"`
			}
			require.NoError(t, json.Unmarshal([]byte(first), &p))
			assert.Equal(t, []string{tt.detailType}, p.DetailType)
			assert.Equal(t, tt.names, p.Detail.EventName)
		})
	}
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

func TestKeyStatementsAreGoodForTheAlertTopicOnly(t *testing.T) {
	topic := "arn:aws:sns:eu-west-1:111122223333:prod-secrets-alerts"
	require.Equal(t, topic, alerts.TopicARN(iam.Account{ID: "111122223333", Partition: "aws", Region: "eu-west-1", DNSSuffix: "amazonaws.com"}, "prod"))
	stmts := alerts.KeyStatements(iam.Account{ID: "111122223333", Partition: "aws", Region: "eu-west-1", DNSSuffix: "amazonaws.com"}, "prod")
	require.Len(t, stmts, 2)
	for _, s := range stmts {
		t.Run(s.Sid, func(t *testing.T) {
			assert.Equal(t, iam.Strings{topic}, s.Condition["StringEquals"]["kms:EncryptionContext:aws:sns:topicArn"], "got %v, want the alert topic's encryption context", s.Condition)
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
	tests := []struct{ env, secret, errs, throttles string }{
		{"prod", "/prod/app/database", "prod-rotator-errors-app-database", "prod-rotator-throttles-app-database"},
		{"staging", "/staging/integrations/twilio", "staging-rotator-errors-integrations-twilio", "staging-rotator-throttles-integrations-twilio"},
	}
	for _, tt := range tests {
		t.Run(tt.secret, func(t *testing.T) {
			e, th := alerts.AlarmNames(tt.env, tt.secret)
			assert.Equal(t, tt.errs, e)
			assert.Equal(t, tt.throttles, th)
		})
	}
	assert.Equal(t, "prod-secrets-alerts", alerts.TopicName("prod"))
	assert.Equal(t, "prod-manual-secret-age", alerts.AgeRuleName("prod"))
}
