package redeploy_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/redeploy"
)

var (
	account   = iam.Account{ID: "111122223333", Partition: "aws", Region: "eu-west-1", DNSSuffix: "amazonaws.com"}
	testStack = mockrun.Stack{Project: "secrets-platform", Name: "test", Config: map[string]string{
		"aws:region": "eu-west-1", "aws:allowedAccountIds": `["111122223333"]`,
	}}
)

const (
	sessionKey  = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/app/session-key-AbCdEf"
	topic       = "arn:aws:sns:eu-west-1:111122223333:prod-secrets-alerts"
	deadLetters = "arn:aws:sqs:eu-west-1:111122223333:prod-alerts-dead-letters"
)

func args() *redeploy.Args {
	return &redeploy.Args{
		Environment: "prod", Workload: "worker", Service: redeploy.Service{Cluster: "platform", Service: "worker"},
		SecretArns: pulumi.ToStringArray([]string{sessionKey}), Account: account,
		PermissionsBoundaryArn: iam.BoundaryARN(account, "prod"), AlarmTopicArn: pulumi.String(topic),
		DeadLetterArn: deadLetters, Tags: map[string]string{"Environment": "prod"},
	}
}

func run(t *testing.T, a *redeploy.Args) (*mockrun.Recording, error) {
	t.Helper()
	return mockrun.Run(testStack, func(ctx *pulumi.Context) (map[string]pulumi.Input, error) {
		r, err := redeploy.NewRedeployer(ctx, "redeploy-worker", a)
		if err != nil {
			return nil, err
		}
		return map[string]pulumi.Input{"stateMachineArn": r.StateMachineArn, "ruleName": r.RuleName}, nil
	})
}

func doc(t *testing.T, rec *mockrun.Recording, name, field string) iam.Document {
	t.Helper()
	r, ok := rec.Named(name)
	require.True(t, ok, "no resource %s", name)
	d, err := iam.Parse(r.Str(field))
	require.NoError(t, err)
	return d
}

// TestRedeployerForcesANewDeploymentOfOneService: a rule on RotationSucceeded
// of the injected secrets starts a state machine whose one task is
// UpdateService with forceNewDeployment, each role able to do its one
// thing, bounded, and both ways of failing alarm on the alert topic.
func TestRedeployerForcesANewDeploymentOfOneService(t *testing.T) {
	rec, err := run(t, args())
	require.NoError(t, err)
	machineARN := "arn:aws:states:eu-west-1:111122223333:stateMachine:prod-worker-redeploy"
	serviceARN := "arn:aws:ecs:eu-west-1:111122223333:service/platform/worker"

	machine, ok := rec.Named("redeploy-worker-machine")
	require.True(t, ok)
	assert.Equal(t, "prod-worker-redeploy", machine.Str("name"))
	assert.Equal(t, "STANDARD", machine.Str("type"), "a standard workflow keeps its execution history without a log group")
	assert.Equal(t, machineARN, rec.Outputs["stateMachineArn"].Value)
	var def struct {
		StartAt string
		States  map[string]struct {
			Type, Resource string
			Parameters     map[string]any
			Retry          []map[string]any
		}
	}
	require.NoError(t, json.Unmarshal([]byte(machine.Str("definition")), &def))
	task := def.States[def.StartAt]
	assert.Equal(t, "arn:aws:states:::aws-sdk:ecs:updateService", task.Resource)
	assert.Equal(t, map[string]any{"Cluster": "platform", "Service": "worker", "ForceNewDeployment": true}, task.Parameters)
	assert.NotEmpty(t, task.Retry, "a throttled call is retried")

	for name, want := range map[string]string{"redeploy-worker-machine-role": "prod-worker-redeploy", "redeploy-worker-trigger-role": "prod-worker-trigger"} {
		r, ok := rec.Named(name)
		require.True(t, ok)
		assert.Equal(t, want, r.Str("name"))
		assert.Equal(t, iam.BoundaryARN(account, "prod"), r.Str("permissionsBoundary"), "%s carries the boundary", want)
	}
	machineTrust := doc(t, rec, "redeploy-worker-machine-role", "assumeRolePolicy").Statement[0]
	assert.Equal(t, iam.Strings{"states.amazonaws.com"}, machineTrust.Principal.Service)
	assert.Equal(t, iam.Strings{machineARN}, machineTrust.Condition["ArnEquals"]["aws:SourceArn"], "only its own state machine assumes it")
	triggerTrust := doc(t, rec, "redeploy-worker-trigger-role", "assumeRolePolicy").Statement[0]
	assert.Equal(t, iam.Strings{"events.amazonaws.com"}, triggerTrust.Principal.Service)
	assert.Equal(t, iam.Strings{"arn:aws:events:eu-west-1:111122223333:rule/prod-worker-redeploy"}, triggerTrust.Condition["ArnEquals"]["aws:SourceArn"])

	machinePolicy := doc(t, rec, "redeploy-worker-machine-role-policy", "policy")
	require.Len(t, machinePolicy.Statement, 1)
	assert.Equal(t, iam.Strings{"ecs:UpdateService"}, machinePolicy.Statement[0].Action)
	assert.Equal(t, iam.Strings{serviceARN}, machinePolicy.Statement[0].Resource)
	triggerPolicy := doc(t, rec, "redeploy-worker-trigger-role-policy", "policy")
	require.Len(t, triggerPolicy.Statement, 1)
	assert.Equal(t, iam.Strings{"states:StartExecution"}, triggerPolicy.Statement[0].Action)
	assert.Equal(t, iam.Strings{machineARN}, triggerPolicy.Statement[0].Resource)

	rule, ok := rec.Named("redeploy-worker-rule")
	require.True(t, ok)
	var pattern struct {
		Detail struct {
			EventName           []string
			AdditionalEventData struct{ SecretId []string }
		}
	}
	require.NoError(t, json.Unmarshal([]byte(rule.Str("eventPattern")), &pattern))
	assert.Equal(t, []string{"RotationSucceeded"}, pattern.Detail.EventName)
	assert.Equal(t, []string{sessionKey}, pattern.Detail.AdditionalEventData.SecretId)
	target, ok := rec.Named("redeploy-worker-target")
	require.True(t, ok)
	assert.Equal(t, machineARN, target.Str("arn"))
	trigger, _ := rec.Named("redeploy-worker-trigger-role")
	assert.Equal(t, trigger.StateStr("arn"), target.Str("roleArn"))
	assert.Equal(t, deadLetters, target.Str("deadLetterConfig.arn"), "a start EventBridge gives up on waits in the stack's queue")

	alarms := rec.OfType(mockrun.TypeMetricAlarm)
	require.Len(t, alarms, 2)
	var names []string
	for _, a := range alarms {
		names = append(names, a.Str("name"))
		assert.Equal(t, []string{topic}, a.Strings("alarmActions"), "alarm %s notifies the alert topic", a.Str("name"))
	}
	assert.ElementsMatch(t, []string{"prod-worker-redeploy-failed", "prod-worker-redeploy-not-started"}, names)
	assert.Len(t, rec.OfType(mockrun.TypeEventRule), redeploy.RuleCount(1), "one EventBridge rule per workload, whatever it injects")
}

func TestRedeployerRefusesBadArgs(t *testing.T) {
	tests := []struct {
		name string
		edit func(*redeploy.Args)
		want string
	}{
		{"no service", func(a *redeploy.Args) { a.Service.Service = "" }, "Service"},
		{"no alarm topic", func(a *redeploy.Args) { a.AlarmTopicArn = nil }, "AlarmTopicArn"},
		{"no dead-letter queue", func(a *redeploy.Args) { a.DeadLetterArn = "" }, "DeadLetterArn"},
		{"another boundary", func(a *redeploy.Args) { a.PermissionsBoundaryArn = iam.BoundaryARN(account, "staging") }, "permissions boundary"},
		{"name too long", func(a *redeploy.Args) { a.Workload = string(make([]byte, 60)) }, "64 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := args()
			tt.edit(a)
			rec, err := run(t, a)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.False(t, slices.ContainsFunc(rec.Resources, func(r mockrun.Resource) bool { return r.Custom }), "refused args registered %v", rec.CountByType())
		})
	}
}
