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

func TestKeyAndTopicStatementsAreConditionedOnTheirSource(t *testing.T) {
	topic := "arn:aws:sns:eu-west-1:111122223333:prod-secrets-alerts"
	docs := map[string]iam.Document{
		"key":   iam.New(alerts.KeyStatements("aws", "eu-west-1", "111122223333", "prod")...),
		"topic": alerts.TopicPolicy(topic, "aws", "eu-west-1", "111122223333", "prod"),
	}
	want := map[string]string{
		"events.amazonaws.com":     "arn:aws:events:eu-west-1:111122223333:rule/prod-*",
		"cloudwatch.amazonaws.com": "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:prod-*",
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
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
				for _, a := range s.Action {
					assert.NotContains(t, a, "*", "%s: explicit actions", s.Sid)
				}
			}
			assert.Equal(t, want, got, "got sources %v, want %v", got, want)
			_, err := doc.JSON()
			require.NoError(t, err)
		})
	}
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
