package alerts_test

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

	"github.com/acme/secrets-platform/alerts"
	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/internal/testenv"
)

var prodAccount = iam.Account{ID: "111122223333", Partition: "aws", Region: "eu-west-1", DNSSuffix: "amazonaws.com"}

// Identities as CloudTrail records them (userIdentity).
var (
	person = map[string]any{"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/platform-admin/alice",
		"sessionContext": map[string]any{"sessionIssuer": map[string]any{"type": "Role", "arn": "arn:aws:iam::111122223333:role/platform-admin", "userName": "platform-admin"}}}
	iamUser  = map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/bob", "userName": "bob"}
	operator = assumedRole("secrets-operator", "carol")
	rotator  = assumedRole("prod-rotate-app-database", "prod-rotate-app-database")
	deployer = assumedRole("secrets-platform-deploy", "pulumi")
	stranger = assumedRole("staging-rotate-app-database", "staging-rotate-app-database")
	// Another account's principal, through a resource policy: no arn.
	otherAccount = map[string]any{"type": "AWSAccount", "principalId": "AIDAEXAMPLE", "accountId": "444455556666"}
	// A service acting on the stack's behalf.
	rdsService = map[string]any{"type": "AWSService", "invokedBy": "rds.amazonaws.com"}
	viaLambda  = map[string]any{"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/secrets-platform-deploy/deploy",
		"invokedBy": "lambda.amazonaws.com"}
)

func assumedRole(role, session string) map[string]any {
	return map[string]any{"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/" + role + "/" + session,
		"sessionContext": map[string]any{"sessionIssuer": map[string]any{"type": "Role", "arn": "arn:aws:iam::111122223333:role/" + role, "userName": role}}}
}

const (
	topicArn    = "arn:aws:sns:eu-west-1:111122223333:prod-secrets-alerts"
	ourRotator  = "arn:aws:lambda:eu-west-1:111122223333:function:prod-rotate-app-database"
	breakGlass  = "arn:aws:iam::111122223333:role/secrets-platform-break-glass-read"
	stripeARN   = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/app/stripe-AbCdEf"
	replicaARN  = "arn:aws:secretsmanager:us-east-1:111122223333:secret:/prod/app/stripe-AbCdEf"
	databaseARN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/app/database-XyZ123"
)

// sample is one event and the rules (by suffix) that must match it.
type sample struct {
	name       string
	source     string
	detailType string
	detail     map[string]any
	want       []string
}

// apiCall is an "AWS API Call via CloudTrail" event as AWS documents it.
func apiCall(name, service, event string, who map[string]any, params map[string]any, want ...string) sample {
	d := map[string]any{
		"eventVersion": "1.09", "eventSource": service + ".amazonaws.com", "eventName": event, "awsRegion": "eu-west-1",
		"sourceIPAddress": "203.0.113.7", "userAgent": "aws-cli/2.17", "userIdentity": who, "requestParameters": params,
		"eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": "111122223333", "readOnly": false,
	}
	if inv, ok := who["invokedBy"].(string); ok {
		d["sourceIPAddress"] = inv
	}
	return sample{name: name, source: "aws." + service, detailType: "AWS API Call via CloudTrail", detail: d, want: want}
}

func samples() []sample {
	sid := func(id string) map[string]any { return map[string]any{"secretId": id} }
	return []sample{
		// Values and stages.
		apiCall("person puts a value into a rotated secret", "secretsmanager", "PutSecretValue", person, sid("/prod/app/database"), "changed-by-people"),
		apiCall("IAM user puts a value", "secretsmanager", "PutSecretValue", iamUser, sid(databaseARN), "changed-by-people"),
		apiCall("another account puts a value", "secretsmanager", "PutSecretValue", otherAccount, sid(databaseARN), "changed-by-people"),
		apiCall("another stack's rotator puts a value", "secretsmanager", "PutSecretValue", stranger, sid(databaseARN), "changed-by-people"),
		apiCall("the rotator puts its value (near miss)", "secretsmanager", "PutSecretValue", rotator, sid(databaseARN)),
		apiCall("RDS puts its master secret (invokedBy, near miss)", "secretsmanager", "PutSecretValue", rdsService, sid("arn:aws:secretsmanager:eu-west-1:111122223333:secret:rds!db-1-AbCdEf")),
		apiCall("the operator role puts a first value by name", "secretsmanager", "PutSecretValue", operator, sid("/prod/app/stripe"), "operator-put"),
		apiCall("the operator role puts by ARN", "secretsmanager", "PutSecretValue", operator, sid(stripeARN), "operator-put"),
		apiCall("another person puts a manual secret's value", "secretsmanager", "PutSecretValue", person, sid("/prod/app/stripe"), "changed-by-people"),
		apiCall("the operator role moves a stage (not a put: a person's change)", "secretsmanager", "UpdateSecretVersionStage", operator, sid(stripeARN), "changed-by-people"),
		apiCall("person moves a stage (rollback)", "secretsmanager", "UpdateSecretVersionStage", person, sid(databaseARN), "changed-by-people"),
		apiCall("another account moves a stage", "secretsmanager", "UpdateSecretVersionStage", otherAccount, sid(databaseARN), "changed-by-people"),
		apiCall("the rotator moves its stage (near miss)", "secretsmanager", "UpdateSecretVersionStage", rotator, sid(databaseARN)),
		apiCall("RDS moves its master secret's stage (near miss)", "secretsmanager", "UpdateSecretVersionStage", rdsService, sid("rds!db-1")),
		// Rotation.
		apiCall("rotation pointed at another function", "secretsmanager", "RotateSecret", person,
			map[string]any{"secretId": databaseARN, "rotationLambdaARN": "arn:aws:lambda:eu-west-1:111122223333:function:exfiltrate"}, "changed-by-people"),
		apiCall("rotation pointed at another stack's rotator", "secretsmanager", "RotateSecret", person,
			map[string]any{"secretId": databaseARN, "rotationLambdaARN": "arn:aws:lambda:eu-west-1:111122223333:function:staging-rotate-app-database"}, "changed-by-people"),
		apiCall("rotation set to the stack's rotator (near miss)", "secretsmanager", "RotateSecret", person,
			map[string]any{"secretId": databaseARN, "rotationLambdaARN": ourRotator}),
		apiCall("rotate now, no function named (near miss)", "secretsmanager", "RotateSecret", person, sid(databaseARN)),
		apiCall("rotation cancelled", "secretsmanager", "CancelRotateSecret", person, sid(databaseARN), "changed-by-people"),
		apiCall("rotation cancelled by a service (near miss)", "secretsmanager", "CancelRotateSecret", rdsService, sid(databaseARN)),
		apiCall("secret moved to another key", "secretsmanager", "UpdateSecret", person,
			map[string]any{"secretId": databaseARN, "kmsKeyId": "arn:aws:kms:eu-west-1:111122223333:key/other"}, "changed-by-people"),
		apiCall("replication to another region", "secretsmanager", "ReplicateSecretToRegions", person, sid(databaseARN), "changed-by-people"),
		// Replication: a stop by anyone, deployments and services included.
		apiCall("a replica promoted to a standalone secret in its region", "secretsmanager", "StopReplicationToReplica", person, sid(replicaARN), "replication"),
		apiCall("a replica region removed by the deploy role", "secretsmanager", "RemoveRegionsFromReplication", deployer,
			map[string]any{"secretId": stripeARN, "removeReplicaRegions": []string{"us-east-1"}}, "replication"),
		apiCall("a replica promoted through a service", "secretsmanager", "StopReplicationToReplica", viaLambda, sid(replicaARN), "replication"),
		{name: "replication failed", source: "aws.secretsmanager", detailType: "AWS Service Event via CloudTrail",
			detail: map[string]any{"eventSource": "secretsmanager.amazonaws.com", "eventName": "ReplicationFailed", "additionalEventData": map[string]any{"SecretId": stripeARN}},
			want:   []string{"replication"}},
		{name: "replication succeeded (near miss)", source: "aws.secretsmanager", detailType: "AWS Service Event via CloudTrail",
			detail: map[string]any{"eventSource": "secretsmanager.amazonaws.com", "eventName": "ReplicationSucceeded", "additionalEventData": map[string]any{"SecretId": stripeARN}}},
		apiCall("replica status read (near miss)", "secretsmanager", "DescribeSecret", person, sid(replicaARN)),
		apiCall("secret deleted", "secretsmanager", "DeleteSecret", person, sid(databaseARN), "dangerous-calls"),
		apiCall("secret deleted through a service", "secretsmanager", "DeleteSecret", viaLambda, sid(databaseARN), "dangerous-calls"),
		apiCall("a value read (near miss)", "secretsmanager", "GetSecretValue", person, sid(databaseARN)),
		apiCall("PutSecretValue of another service (near miss)", "ssm", "PutSecretValue", person, sid("/prod/app/database")),
		// Keys.
		apiCall("key rotation disabled", "kms", "DisableKeyRotation", person, map[string]any{"keyId": "k"}, "changed-by-people"),
		apiCall("alias moved", "kms", "UpdateAlias", person, map[string]any{"aliasName": "alias/prod/secrets"}, "changed-by-people"),
		apiCall("alias deleted", "kms", "DeleteAlias", person, map[string]any{"aliasName": "alias/prod/secrets"}, "changed-by-people"),
		apiCall("key deletion cancelled", "kms", "CancelKeyDeletion", person, map[string]any{"keyId": "k"}, "changed-by-people"),
		apiCall("grant created by a person", "kms", "CreateGrant", person, map[string]any{"keyId": "k"}, "changed-by-people"),
		apiCall("grant created by Lambda for the deploy (invokedBy, near miss)", "kms", "CreateGrant", viaLambda, map[string]any{"keyId": "k"}),
		apiCall("key policy replaced", "kms", "PutKeyPolicy", person, map[string]any{"keyId": "k"}, "dangerous-calls"),
		apiCall("key deletion scheduled", "kms", "ScheduleKeyDeletion", person, map[string]any{"keyId": "k"}, "dangerous-calls"),
		// The alert path.
		apiCall("an alert rule disabled", "events", "DisableRule", person, map[string]any{"name": "prod-secrets-changed-by-people"}, "tampering"),
		apiCall("a rotation sweep deleted", "events", "DeleteRule", person, map[string]any{"name": "prod-rotate-integrations-twilio-sweep"}, "tampering"),
		apiCall("an alert rule's targets removed", "events", "RemoveTargets", person, map[string]any{"rule": "prod-break-glass-used", "ids": []string{"alert-topic"}}, "tampering"),
		apiCall("an alert rule re-targeted", "events", "PutTargets", person, map[string]any{"rule": "prod-secrets-dangerous-calls"}, "tampering"),
		apiCall("the tampering rule itself disabled", "events", "DisableRule", person, map[string]any{"name": "prod-alert-path-tampering"}, "tampering", "dangerous-calls"),
		apiCall("the tampering rule's target removed", "events", "RemoveTargets", person, map[string]any{"rule": "prod-alert-path-tampering"}, "tampering", "dangerous-calls"),
		apiCall("another stack's rule disabled (near miss)", "events", "DisableRule", person, map[string]any{"name": "staging-secrets-changed-by-people"}),
		apiCall("alert subscription removed", "sns", "Unsubscribe", person, map[string]any{"subscriptionArn": topicArn + ":0b6c1b5e-9d0e-4c3b-a1c2-3d4e5f607182"}, "tampering"),
		apiCall("another topic's subscription removed (near miss)", "sns", "Unsubscribe", person,
			map[string]any{"subscriptionArn": "arn:aws:sns:eu-west-1:111122223333:prod-secrets-alerts-old:0b6c"}),
		apiCall("topic policy replaced", "sns", "SetTopicAttributes", person, map[string]any{"topicArn": topicArn, "attributeName": "Policy"}, "tampering"),
		apiCall("topic deleted", "sns", "DeleteTopic", person, map[string]any{"topicArn": topicArn}, "tampering"),
		apiCall("another topic changed (near miss)", "sns", "SetTopicAttributes", person, map[string]any{"topicArn": topicArn + "-old", "attributeName": "Policy"}),
		apiCall("dead letters purged", "sqs", "PurgeQueue", person, map[string]any{"queueUrl": "https://sqs.eu-west-1.amazonaws.com/111122223333/prod-alerts-dead-letters"}, "tampering"),
		apiCall("another queue purged (near miss)", "sqs", "PurgeQueue", person, map[string]any{"queueUrl": "https://sqs.eu-west-1.amazonaws.com/111122223333/orders"}),
		{name: "alarm actions disabled", source: "aws.cloudwatch", detailType: "AWS API Call via CloudTrail",
			detail: map[string]any{"eventSource": "monitoring.amazonaws.com", "eventName": "DisableAlarmActions", "userIdentity": person,
				"requestParameters": map[string]any{"alarmNames": []string{"orders-latency", "prod-alerts-dead-letters-not-empty"}}}, want: []string{"tampering"}},
		{name: "another team's alarm deleted (near miss)", source: "aws.cloudwatch", detailType: "AWS API Call via CloudTrail",
			detail: map[string]any{"eventSource": "monitoring.amazonaws.com", "eventName": "DeleteAlarms", "userIdentity": person,
				"requestParameters": map[string]any{"alarmNames": []string{"orders-latency"}}}},
		apiCall("CloudTrail stopped", "cloudtrail", "StopLogging", person, map[string]any{"name": "org-trail"}, "tampering"),
		apiCall("CloudTrail deleted", "cloudtrail", "DeleteTrail", person, map[string]any{"name": "org-trail"}, "tampering"),
		apiCall("CloudTrail narrowed", "cloudtrail", "PutEventSelectors", person, map[string]any{"trailName": "org-trail"}, "tampering"),
		apiCall("CloudTrail changed", "cloudtrail", "UpdateTrail", person, map[string]any{"name": "org-trail"}, "tampering"),
		apiCall("CloudTrail read (near miss)", "cloudtrail", "LookupEvents", person, map[string]any{}),
		apiCall("Config recorder stopped", "config", "StopConfigurationRecorder", person, map[string]any{"configurationRecorderName": "default"}, "tampering"),
		apiCall("Config rule deleted", "config", "DeleteConfigRule", person, map[string]any{"configRuleName": "prod-manual-secret-age"}, "tampering"),
		apiCall("Config recorder deleted", "config", "DeleteConfigurationRecorder", person, map[string]any{"configurationRecorderName": "default"}, "tampering"),
		// Break glass.
		apiCall("break-glass role assumed", "sts", "AssumeRole", iamUser,
			map[string]any{"roleArn": breakGlass, "roleSessionName": "bob", "tags": []map[string]string{{"key": "incident", "value": "INC-4711"}}}, "break-glass"),
		apiCall("another role assumed (near miss)", "sts", "AssumeRole", iamUser, map[string]any{"roleArn": "arn:aws:iam::111122223333:role/platform-admin", "roleSessionName": "bob"}),
		// Rotation failures and the age rule.
		{name: "rotation failed", source: "aws.secretsmanager", detailType: "AWS Service Event via CloudTrail",
			detail: map[string]any{"eventSource": "secretsmanager.amazonaws.com", "eventName": "RotationFailed", "additionalEventData": map[string]any{"SecretId": databaseARN}},
			want:   []string{"rotation-failed"}},
		{name: "a manual secret too old", source: "aws.config", detailType: "Config Rules Compliance Change",
			detail: map[string]any{"messageType": "ComplianceChangeNotification", "configRuleName": "prod-manual-secret-age",
				"newEvaluationResult": map[string]any{"complianceType": "NON_COMPLIANT"}}, want: []string{"manual-age"}},
		{name: "another stack's age rule (near miss)", source: "aws.config", detailType: "Config Rules Compliance Change",
			detail: map[string]any{"messageType": "ComplianceChangeNotification", "configRuleName": "staging-manual-secret-age",
				"newEvaluationResult": map[string]any{"complianceType": "NON_COMPLIANT"}}},
	}
}

// TestDetectionRulesMatchCloudTrailEventsInMoto puts every alert rule of a
// prod stack into moto's EventBridge, each with an SQS queue as its target,
// then every sample event; each queue must hold exactly the events its rule
// must match. moto's TestEventPattern answers nothing in moto 5.2.1 (an
// empty response), so the match is observed where moto really evaluates
// patterns: delivering PutEvents to the rules' targets.
func TestDetectionRulesMatchCloudTrailEventsInMoto(t *testing.T) {
	m := testenv.NewMoto(t)
	cfg := rotatortest.Config(m)
	eb, q := eventbridge.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	rules, err := alerts.Rules(&alerts.Args{Environment: "prod", Account: prodAccount,
		ManualSecrets: []string{"/prod/app/stripe"}, MaxSecretAgeDays: 90,
		OperatorRoleARNs: []string{"arn:aws:iam::111122223333:role/secrets-operator"}})
	require.NoError(t, err)
	require.Len(t, rules, alerts.RuleCount(1, 1))
	queues := map[string]string{} // rule suffix -> queue URL
	for _, r := range rules {
		url := ruleWithQueue(ctx, t, eb, q, r)
		queues[r.Suffix] = url
	}

	all := samples()
	for start := 0; start < len(all); start += 10 {
		var entries []ebtypes.PutEventsRequestEntry
		for i, s := range all[start:min(start+10, len(all))] {
			s.detail["eventID"] = strconv.Itoa(start + i)
			detail, err := json.Marshal(s.detail)
			require.NoError(t, err)
			entries = append(entries, ebtypes.PutEventsRequestEntry{
				Source: aws.String(s.source), DetailType: aws.String(s.detailType), Detail: aws.String(string(detail)),
			})
		}
		out, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
		require.NoError(t, err)
		require.Zero(t, out.FailedEntryCount, "moto refused sample events")
	}

	got := map[string][]string{} // sample name -> rule suffixes
	for suffix, url := range queues {
		for _, id := range drain(ctx, t, q, url) {
			i, err := strconv.Atoi(id)
			require.NoError(t, err)
			got[all[i].name] = append(got[all[i].name], suffix)
		}
	}
	decisions, wrong, matches := 0, 0, 0
	for _, s := range all {
		for _, r := range rules {
			decisions++
			want, matched := slices.Contains(s.want, r.Suffix), slices.Contains(got[s.name], r.Suffix)
			if matched {
				matches++
			}
			if !assert.Equal(t, want, matched, "%s: rule %s matched (got) vs must match (want)", s.name, r.Name) {
				wrong++
			}
		}
	}
	t.Logf("detection: %d sample events x %d rules = %d decisions (%d matches), %d wrong", len(all), len(rules), decisions, matches, wrong)
	for _, r := range rules {
		assert.True(t, slices.ContainsFunc(all, func(s sample) bool { return slices.Contains(s.want, r.Suffix) }), "rule %s has a sample that must match", r.Name)
	}
}

// ruleWithQueue creates r in moto with an SQS queue as its only target.
func ruleWithQueue(ctx context.Context, t *testing.T, eb *eventbridge.Client, q *sqs.Client, r alerts.Rule) string {
	t.Helper()
	created, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("match-" + r.Suffix)})
	require.NoError(t, err)
	attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: created.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	require.NoError(t, err)
	_, err = eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(r.Name), EventPattern: aws.String(r.Pattern)})
	require.NoError(t, err, "moto refused the pattern of %s", r.Name)
	_, err = eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(r.Name),
		Targets: []ebtypes.Target{{Id: aws.String("queue"), Arn: aws.String(attrs.Attributes["QueueArn"])}}})
	require.NoError(t, err)
	return *created.QueueUrl
}

// drain reads every message of a queue and returns the sample ids.
func drain(ctx context.Context, t *testing.T, q *sqs.Client, url string) []string {
	t.Helper()
	var ids []string
	for {
		out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10})
		require.NoError(t, err)
		if len(out.Messages) == 0 {
			return ids
		}
		for _, msg := range out.Messages {
			var ev struct {
				Detail struct {
					EventID string `json:"eventID"`
				} `json:"detail"`
			}
			require.NoError(t, json.Unmarshal([]byte(aws.ToString(msg.Body)), &ev))
			ids = append(ids, ev.Detail.EventID)
			_, err := q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: msg.ReceiptHandle})
			require.NoError(t, err)
		}
	}
}
