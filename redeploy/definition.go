package redeploy

import (
	"encoding/json"
	"fmt"

	"github.com/acme/secrets-platform/iam"
)

// UpdateServiceIntegration is the Step Functions AWS SDK integration that
// calls ECS UpdateService (Step Functions developer guide, "AWS SDK service
// integrations"); its parameters are UpdateService's, in its own casing.
func UpdateServiceIntegration(partition string) string {
	return "arn:" + partition + ":states:::aws-sdk:ecs:updateService"
}

// Definition is the state machine: one task that forces a new deployment of
// the service, retried with backoff (about five minutes in all) so that a
// throttled or briefly failing call does not leave old tasks running. A
// new deployment replaces the tasks at the service's own pace, within its
// minimumHealthyPercent, so a rotation never takes the service down.
func Definition(a iam.Account, svc Service) (string, error) {
	def := map[string]any{
		"Comment": fmt.Sprintf("Start new tasks of ECS service %s/%s after a rotation of a secret they inject at start (secrets-platform)", svc.Cluster, svc.Service),
		"StartAt": "ForceNewDeployment",
		"States": map[string]any{
			"ForceNewDeployment": map[string]any{
				"Type":     "Task",
				"Resource": UpdateServiceIntegration(a.Partition),
				"Parameters": map[string]any{
					"Cluster": svc.Cluster, "Service": svc.Service, "ForceNewDeployment": true,
				},
				"Retry": []map[string]any{{
					"ErrorEquals": []string{"States.ALL"}, "IntervalSeconds": 5, "MaxAttempts": 6, "BackoffRate": 2,
				}},
				"End": true,
			},
		},
	}
	b, err := json.Marshal(def)
	if err != nil {
		return "", fmt.Errorf("redeploy definition of %s/%s: %w", svc.Cluster, svc.Service, err)
	}
	return string(b), nil
}

// ServiceARN is an ECS service's ARN (the long format, with its cluster).
func ServiceARN(a iam.Account, svc Service) string {
	return a.ARN("ecs", "service/"+svc.Cluster+"/"+svc.Service)
}

// StateMachineARN is a state machine's ARN.
func StateMachineARN(a iam.Account, name string) string {
	return a.ARN("states", "stateMachine:"+name)
}

// MachinePolicy lets the state machine's role force a new deployment of the
// one service and nothing else.
func MachinePolicy(a iam.Account, svc Service) iam.Document {
	return iam.New(iam.Statement{
		Sid: "ForceNewDeploymentOfOneService", Effect: iam.Allow,
		Action: iam.Strings{"ecs:UpdateService"}, Resource: iam.Strings{ServiceARN(a, svc)},
	})
}

// TriggerPolicy lets the rule's role start the one state machine.
func TriggerPolicy(stateMachineARN string) iam.Document {
	return iam.New(iam.Statement{
		Sid: "StartOneStateMachine", Effect: iam.Allow,
		Action: iam.Strings{"states:StartExecution"}, Resource: iam.Strings{stateMachineARN},
	})
}

// RotationSucceeded is the Secrets Manager event a finished rotation emits
// (not an API call, so EventBridge delivers it as "AWS Service Event via
// CloudTrail"; Secrets Manager user guide, "Log AWS Secrets Manager events
// with AWS CloudTrail").
const RotationSucceeded = "RotationSucceeded"

// Pattern matches a successful rotation of any of the secrets, by ARN.
func Pattern(secretARNs []string) (string, error) {
	if len(secretARNs) == 0 {
		return "", fmt.Errorf("redeploy pattern: no secret to watch")
	}
	b, err := json.Marshal(map[string]any{
		"source":      []string{"aws.secretsmanager"},
		"detail-type": []string{"AWS Service Event via CloudTrail"},
		"detail": map[string]any{
			"eventSource":         []string{"secretsmanager.amazonaws.com"},
			"eventName":           []string{RotationSucceeded},
			"additionalEventData": map[string]any{"SecretId": secretARNs},
		},
	})
	if err != nil {
		return "", fmt.Errorf("redeploy pattern: %w", err)
	}
	return string(b), nil
}
