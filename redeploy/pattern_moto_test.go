package redeploy_test

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/internal/testenv"
	"github.com/acme/secrets-platform/redeploy"
)

// TestPatternMatchesOnlyASuccessfulRotationOfAWatchedSecretInMoto puts the
// redeployer's pattern into moto's EventBridge with an SQS queue as its
// target and sends Secrets Manager events as CloudTrail delivers them: only
// a finished rotation of a watched secret may start a redeployment (moto
// evaluates patterns when it delivers PutEvents; its TestEventPattern
// answers nothing in moto 5.2.1).
func TestPatternMatchesOnlyASuccessfulRotationOfAWatchedSecretInMoto(t *testing.T) {
	const other = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/app/stripe-GhIjKl"
	event := func(name, secret string) map[string]any {
		return map[string]any{"eventSource": "secretsmanager.amazonaws.com", "eventName": name,
			"eventType": "AwsServiceEvent", "additionalEventData": map[string]any{"SecretId": secret}}
	}
	samples := []struct {
		name       string
		detailType string
		detail     map[string]any
		want       bool
	}{
		{"rotation of the injected secret succeeded", "AWS Service Event via CloudTrail", event("RotationSucceeded", sessionKey), true},
		{"rotation of another secret succeeded", "AWS Service Event via CloudTrail", event("RotationSucceeded", other), false},
		{"rotation of the injected secret failed", "AWS Service Event via CloudTrail", event("RotationFailed", sessionKey), false},
		{"rotation of the injected secret started", "AWS Service Event via CloudTrail", event("RotationStarted", sessionKey), false},
		{"an API call on the injected secret", "AWS API Call via CloudTrail",
			map[string]any{"eventSource": "secretsmanager.amazonaws.com", "eventName": "PutSecretValue",
				"requestParameters": map[string]any{"secretId": sessionKey}}, false},
	}
	pattern, err := redeploy.Pattern([]string{sessionKey})
	require.NoError(t, err)

	m := testenv.NewMoto(t)
	cfg := rotatortest.Config(m)
	eb, q := eventbridge.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	created, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("redeploy-match")})
	require.NoError(t, err)
	attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: created.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	require.NoError(t, err)
	_, err = eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("prod-worker-redeploy"), EventPattern: aws.String(pattern)})
	require.NoError(t, err, "moto refused the pattern")
	_, err = eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("prod-worker-redeploy"),
		Targets: []ebtypes.Target{{Id: aws.String("queue"), Arn: aws.String(attrs.Attributes["QueueArn"])}}})
	require.NoError(t, err)

	var entries []ebtypes.PutEventsRequestEntry
	for i, s := range samples {
		s.detail["eventID"] = strconv.Itoa(i)
		b, err := json.Marshal(s.detail)
		require.NoError(t, err)
		entries = append(entries, ebtypes.PutEventsRequestEntry{Source: aws.String("aws.secretsmanager"),
			DetailType: aws.String(s.detailType), Detail: aws.String(string(b))})
	}
	out, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
	require.NoError(t, err)
	require.Zero(t, out.FailedEntryCount)

	var matched []string
	for {
		msgs, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: created.QueueUrl, MaxNumberOfMessages: 10})
		require.NoError(t, err)
		if len(msgs.Messages) == 0 {
			break
		}
		for _, msg := range msgs.Messages {
			var ev struct {
				Detail struct {
					EventID string `json:"eventID"`
				} `json:"detail"`
			}
			require.NoError(t, json.Unmarshal([]byte(aws.ToString(msg.Body)), &ev))
			matched = append(matched, ev.Detail.EventID)
			_, err := q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: created.QueueUrl, ReceiptHandle: msg.ReceiptHandle})
			require.NoError(t, err)
		}
	}
	wrong := 0
	for i, s := range samples {
		if !assert.Equal(t, s.want, slices.Contains(matched, strconv.Itoa(i)), "%s: matched (got) vs must match (want)", s.name) {
			wrong++
		}
	}
	t.Logf("redeploy pattern: %d sample events, %d matched, %d wrong", len(samples), len(matched), wrong)
}
