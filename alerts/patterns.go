package alerts

import (
	"encoding/json"
	"fmt"
)

// RotationEvents are the Secrets Manager events of a rotation that did not
// complete. Secrets Manager emits them itself (not as an API call), so
// EventBridge delivers them with the detail type "AWS Service Event via
// CloudTrail".
func RotationEvents() []string {
	return []string{"RotationAbandoned", "RotationFailed", "TestRotationFailed"}
}

// ReplicationEvents are the Secrets Manager events of a replication that
// did not complete, which Secrets Manager emits itself like the rotation
// events (Secrets Manager user guide, "AWS CloudTrail entries for Secrets
// Manager", log entries for replication): a replica left behind its primary.
func ReplicationEvents() []string { return []string{"ReplicationFailed"} }

// ReplicationStops are the calls that end replication of a secret to a
// region: the primary drops a region (RemoveRegionsFromReplication) or a
// replica is promoted to a standalone secret in its own region
// (StopReplicationToReplica, docs/runbooks/promote-replica.md). Either
// leaves readers of that region on a copy that no longer follows the
// primary, whoever does it.
func ReplicationStops() []string {
	return []string{"RemoveRegionsFromReplication", "StopReplicationToReplica"}
}

// serviceEvent is the detail type of the events Secrets Manager emits itself.
const serviceEvent = "AWS Service Event via CloudTrail"

// ReplicationPattern matches a failed replication and every stop of
// replication, by anyone, services and deployments included.
func ReplicationPattern() (string, error) {
	return marshal(map[string]any{"$or": []map[string]any{
		{
			"source": []string{"aws.secretsmanager"}, "detail-type": []string{serviceEvent},
			"detail": map[string]any{"eventSource": []string{"secretsmanager.amazonaws.com"}, "eventName": ReplicationEvents()},
		},
		{
			"source": []string{"aws.secretsmanager"}, "detail-type": []string{apiCall},
			"detail": map[string]any{"eventSource": []string{"secretsmanager.amazonaws.com"}, "eventName": ReplicationStops()},
		},
	}})
}

// DangerousCalls are the API calls, by event source, that can destroy a
// secret, widen who reads it, or make every secret of a key unreadable. Any
// of them, by anyone in the account, is worth a look: a deployment that makes
// one shows up too, which is how a reviewer sees that it happened.
func DangerousCalls() map[string][]string {
	return map[string][]string{
		"secretsmanager.amazonaws.com": {"DeleteResourcePolicy", "DeleteSecret", "PutResourcePolicy"},
		"kms.amazonaws.com":            {"DisableKey", "PutKeyPolicy", "ScheduleKeyDeletion"},
	}
}

// AgeRuleIdentifier is AWS Config's managed rule that flags a secret whose
// value has not changed for more than maxDaysSinceRotation days. A manual
// PutSecretValue or UpdateSecret counts as a rotation for it (Secrets Manager
// API reference, RotationRulesType), so it measures exactly the age of the
// value an operator last put.
const AgeRuleIdentifier = "SECRETSMANAGER_SECRET_PERIODIC_ROTATION"

// RotationPattern matches failed, abandoned and failed-test rotations.
func RotationPattern() (string, error) {
	return marshal(map[string]any{
		"source":      []string{"aws.secretsmanager"},
		"detail-type": []string{"AWS Service Event via CloudTrail"},
		"detail": map[string]any{
			"eventSource": []string{"secretsmanager.amazonaws.com"},
			"eventName":   RotationEvents(),
		},
	})
}

// AgePattern matches the age rule turning a secret NON_COMPLIANT.
func AgePattern(configRuleName string) (string, error) {
	return marshal(map[string]any{
		"source":      []string{"aws.config"},
		"detail-type": []string{"Config Rules Compliance Change"},
		"detail": map[string]any{
			"messageType":         []string{"ComplianceChangeNotification"},
			"configRuleName":      []string{configRuleName},
			"newEvaluationResult": map[string]any{"complianceType": []string{"NON_COMPLIANT"}},
		},
	})
}

// marshal writes a pattern with sorted keys, so previews show no spurious diff.
func marshal(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("marshal event pattern: %w", err)
	}
	return string(b), nil
}
