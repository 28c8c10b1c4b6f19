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
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/alerts"
	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/internal/testenv"
)

// inReplicaRegion is an API call recorded in the replica region us-east-1.
func inReplicaRegion(s sample) sample {
	s.detail["awsRegion"] = "us-east-1"
	return s
}

// TestForwarderCarriesReplicaRegionEventsInMoto puts the forwarding rule of
// a replica region into moto's EventBridge in us-east-1 and sends the calls
// a replica region sees: what the stack's rules watch must be forwarded (the
// detection test matches the same events in the stack's region), reads and
// other stacks' rules must not.
func TestForwarderCarriesReplicaRegionEventsInMoto(t *testing.T) {
	m := testenv.NewMoto(t)
	cfg := rotatortest.Config(m)
	cfg.Region = "us-east-1"
	eb, q := eventbridge.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	pattern, err := alerts.ForwardPattern("prod")
	require.NoError(t, err)
	assert.LessOrEqual(t, len(pattern), 2048, "EventBridge's pattern quota")
	url := ruleWithQueue(ctx, t, eb, q, alerts.Rule{Suffix: "forward", Name: alerts.ForwardRuleName("prod"), Pattern: pattern})

	sid := func(id string) map[string]any { return map[string]any{"secretId": id} }
	key := map[string]any{"keyId": "arn:aws:kms:us-east-1:111122223333:key/replica"}
	events := []struct {
		s       sample
		forward bool
	}{
		{inReplicaRegion(apiCall("a replica promoted", "secretsmanager", "StopReplicationToReplica", person, sid(replicaARN))), true},
		{inReplicaRegion(apiCall("a value put into a promoted replica", "secretsmanager", "PutSecretValue", person, sid(replicaARN))), true},
		{inReplicaRegion(apiCall("a promoted replica deleted", "secretsmanager", "DeleteSecret", person, sid(replicaARN))), true},
		{inReplicaRegion(apiCall("the replica key's policy replaced", "kms", "PutKeyPolicy", person, key)), true},
		{inReplicaRegion(apiCall("the replica key's deletion scheduled", "kms", "ScheduleKeyDeletion", person, key)), true},
		{inReplicaRegion(apiCall("the replica key's alias moved", "kms", "UpdateAlias", person, map[string]any{"aliasName": "alias/prod/secrets"})), true},
		{inReplicaRegion(apiCall("the forwarder disabled", "events", "DisableRule", person, map[string]any{"name": "prod-alerts-forward"})), true},
		{inReplicaRegion(apiCall("the forwarder's target removed", "events", "RemoveTargets", person, map[string]any{"rule": "prod-alerts-forward"})), true},
		{inReplicaRegion(sample{name: "replication failed", source: "aws.secretsmanager", detailType: "AWS Service Event via CloudTrail",
			detail: map[string]any{"eventSource": "secretsmanager.amazonaws.com", "eventName": "ReplicationFailed"}}), true},
		{inReplicaRegion(apiCall("a replica read (near miss)", "secretsmanager", "GetSecretValue", person, sid(replicaARN))), false},
		{inReplicaRegion(apiCall("a replica described (near miss)", "secretsmanager", "DescribeSecret", person, sid(replicaARN))), false},
		{inReplicaRegion(apiCall("a decrypt with the replica key (near miss)", "kms", "Decrypt", person, key)), false},
		{inReplicaRegion(apiCall("another stack's rule disabled (near miss)", "events", "DisableRule", person, map[string]any{"name": "staging-alerts-forward"})), false},
		{inReplicaRegion(apiCall("another service's put (near miss)", "ssm", "PutSecretValue", person, sid("/prod/app/stripe"))), false},
	}
	var entries []ebtypes.PutEventsRequestEntry
	for i, e := range events {
		e.s.detail["eventID"] = strconv.Itoa(i)
		detail, err := json.Marshal(e.s.detail)
		require.NoError(t, err)
		entries = append(entries, ebtypes.PutEventsRequestEntry{Source: aws.String(e.s.source), DetailType: aws.String(e.s.detailType), Detail: aws.String(string(detail))})
	}
	for start := 0; start < len(entries); start += 10 {
		out, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries[start:min(start+10, len(entries))]})
		require.NoError(t, err)
		require.Zero(t, out.FailedEntryCount)
	}
	forwarded := drain(ctx, t, q, url)
	wrong := 0
	for i, e := range events {
		if !assert.Equal(t, e.forward, slices.Contains(forwarded, strconv.Itoa(i)), "%s: forwarded (got) vs must be (want)", e.s.name) {
			wrong++
		}
	}
	t.Logf("forwarder: %d events in us-east-1, %d forwarded, %d wrong", len(events), len(forwarded), wrong)
}
