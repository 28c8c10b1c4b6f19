package alerts

import (
	"fmt"

	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/quota"
)

// The CloudTrail detections. Each pattern matches "AWS API Call via
// CloudTrail" events, the shape AWS documents for them (source aws.<service>,
// detail.eventSource, eventName, userIdentity, requestParameters), and is
// tested against sample events through moto's EventBridge (detection_test.go).

// apiCall is the detail type of an API call that CloudTrail recorded.
const apiCall = "AWS API Call via CloudTrail"

// BreakGlassRoleName is the emergency read role the bootstrap creates in
// every account (bootstrap/breakglass.go); every AssumeRole of it alerts.
const BreakGlassRoleName = "secrets-platform-break-glass-read"

// RotatorNamePrefix starts the name of every rotation function of an
// environment and of its role (rotation.FunctionName: {env}-rotate-...).
// The detections exclude the rotators by it rather than by a list, so a
// pattern stays within EventBridge's 2,048 characters at any catalog size;
// only the deploy role may create functions and roles under it.
func RotatorNamePrefix(env string) string { return env + "-rotate-" }

// Detection is what one rule watches: the arguments of its pattern.
type Detection struct {
	// Environment prefixes the stack's resource names.
	Environment string
	// Account is where the stack runs.
	Account iam.Account
	// OperatorRoles are the names of the roles whose puts are the operators'
	// (first values, manual rolls, as the runbooks do them): informational,
	// not a person changing a secret. A pattern names roles, never secrets,
	// so it stays within EventBridge's 2,048 characters at any catalog size.
	OperatorRoles []string
}

// call matches CloudTrail records of one service's calls.
func call(service string, names []string, more map[string]any) map[string]any {
	detail := map[string]any{"eventSource": []string{service + ".amazonaws.com"}, "eventName": names}
	for k, v := range more {
		detail[k] = v
	}
	return map[string]any{"source": []string{"aws." + service}, "detail": detail}
}

// byPeople keeps calls no AWS service made on the stack's behalf (those
// carry userIdentity.invokedBy: RDS rotating its master secret, services
// creating grants for the resources a deploy makes).
var byPeople = map[string]any{"invokedBy": []any{map[string]any{"exists": false}}}

// anyOf is an EventBridge $or of whole patterns, under one detail type.
func anyOf(branches ...map[string]any) (string, error) {
	return marshal(map[string]any{"detail-type": []string{apiCall}, "$or": branches})
}

// DangerousCallPattern matches the DangerousCalls by anyone (a deployment
// that makes one shows up too), and any change to the tampering rule itself,
// which cannot report its own removal: each of the two rules covers the other.
func DangerousCallPattern(env string) (string, error) {
	calls := DangerousCalls()
	return anyOf(
		call("secretsmanager", calls["secretsmanager.amazonaws.com"], nil),
		call("kms", calls["kms.amazonaws.com"], nil),
		call("events", []string{"DeleteRule", "DisableRule", "PutRule"}, map[string]any{
			"requestParameters": map[string]any{"name": []string{TamperRuleName(env)}}}),
		call("events", []string{"PutTargets", "RemoveTargets"}, map[string]any{
			"requestParameters": map[string]any{"rule": []string{TamperRuleName(env)}}}),
	)
}

// PeopleChangingSecretsPattern matches what can read, redirect, roll back or
// stop protecting a secret when a person (not a service on our behalf, not
// a rotator) does it:
//   - rotation cancelled, a secret updated (value, description or key),
//     replication started (its stops alert by anyone: ReplicationPattern);
//   - key rotation disabled, aliases moved or deleted, deletion cancelled,
//     grants created;
//   - a rotation pointed at a function that is not one of this stack's
//     rotators (by anyone: redirection is never benign);
//   - a value put, or a version stage moved (a rollback to an old value), by
//     anyone but the rotators; puts by an operator role are the operators'
//     and go to OperatorPutPattern instead.
func PeopleChangingSecretsPattern(d Detection) (string, error) {
	// A Lambda function's calls carry assumed-role/<role>/<function>; a
	// rotator's role is named like its function.
	rotators := d.Account.GlobalARN("sts", "assumed-role/"+RotatorNamePrefix(d.Environment))
	notRotator := []any{map[string]any{"anything-but": map[string]any{"prefix": rotators}}}
	put := map[string]any{"invokedBy": byPeople["invokedBy"], "arn": notRotator}
	// A put by an assumed role whose role is not an operator's, or by an
	// identity that assumed no role (an IAM user, root).
	puts := []map[string]any{call("secretsmanager", []string{"PutSecretValue"}, map[string]any{"userIdentity": put})}
	if len(d.OperatorRoles) > 0 {
		byRole := map[string]any{"invokedBy": byPeople["invokedBy"], "arn": notRotator, "sessionContext": map[string]any{
			"sessionIssuer": map[string]any{"userName": []any{map[string]any{"anything-but": d.OperatorRoles}}}}}
		noRole := map[string]any{"invokedBy": byPeople["invokedBy"], "arn": notRotator, "sessionContext": map[string]any{
			"sessionIssuer": map[string]any{"userName": []any{map[string]any{"exists": false}}}}}
		puts = []map[string]any{
			call("secretsmanager", []string{"PutSecretValue"}, map[string]any{"userIdentity": byRole}),
			call("secretsmanager", []string{"PutSecretValue"}, map[string]any{"userIdentity": noRole}),
		}
	}
	return anyOf(append([]map[string]any{
		call("secretsmanager", []string{
			"CancelRotateSecret", "ReplicateSecretToRegions", "UpdateSecret",
		}, map[string]any{"userIdentity": byPeople}),
		call("kms", []string{"CancelKeyDeletion", "CreateGrant", "DeleteAlias", "DisableKeyRotation", "UpdateAlias"},
			map[string]any{"userIdentity": byPeople}),
		call("secretsmanager", []string{"RotateSecret"}, map[string]any{"requestParameters": map[string]any{
			"rotationLambdaARN": []any{map[string]any{"anything-but": map[string]any{"prefix": d.Account.ARN("lambda", "function:"+RotatorNamePrefix(d.Environment))}}},
		}}),
		call("secretsmanager", []string{"UpdateSecretVersionStage"}, map[string]any{"userIdentity": put}),
		// A caller from another account has no userIdentity.arn, which
		// anything-but never matches.
		call("secretsmanager", []string{"PutSecretValue", "UpdateSecretVersionStage"}, map[string]any{"userIdentity": map[string]any{
			"invokedBy": byPeople["invokedBy"], "arn": []any{map[string]any{"exists": false}},
		}}),
	}, puts...)...)
}

// OperatorPutPattern matches a value put by an operator role: a first value
// or a manual roll, as the runbooks do them. It is informational (the message
// says so): a put nobody announced is still worth asking about. Empty when
// the stack names no operator role.
func OperatorPutPattern(d Detection) (string, error) {
	if len(d.OperatorRoles) == 0 {
		return "", nil
	}
	return anyOf(call("secretsmanager", []string{"PutSecretValue"}, map[string]any{
		"userIdentity": map[string]any{"invokedBy": byPeople["invokedBy"], "sessionContext": map[string]any{
			"sessionIssuer": map[string]any{"userName": d.OperatorRoles}}},
	}))
}

// TamperPattern matches anything that would silence the alerts: this
// stack's rules (and schedules) disabled, deleted, changed or re-targeted;
// the alert topic deleted, its policy or key changed, a subscription
// removed; the dead-letter queue deleted, purged or changed; this stack's
// alarms deleted or muted; the account's CloudTrail trails stopped,
// deleted or narrowed; AWS Config stopped or its rules deleted (they
// measure the manual secrets' age). By anyone, deployments included.
func TamperPattern(d Detection) (string, error) {
	env, a := d.Environment, d.Account
	topic := TopicARN(a, env)
	prefix := []any{map[string]any{"prefix": env + "-"}}
	return anyOf(
		call("events", []string{"DeleteRule", "DisableRule", "PutRule"}, map[string]any{
			"requestParameters": map[string]any{"name": prefix}}),
		call("events", []string{"PutTargets", "RemoveTargets"}, map[string]any{
			"requestParameters": map[string]any{"rule": prefix}}),
		call("sns", []string{"AddPermission", "DeleteTopic", "RemovePermission", "SetTopicAttributes"}, map[string]any{
			"requestParameters": map[string]any{"topicArn": []string{topic}}}),
		call("sns", []string{"Unsubscribe"}, map[string]any{
			"requestParameters": map[string]any{"subscriptionArn": []any{map[string]any{"prefix": topic + ":"}}}}),
		call("sqs", []string{"DeleteQueue", "PurgeQueue", "SetQueueAttributes"}, map[string]any{
			"requestParameters": map[string]any{"queueUrl": []any{map[string]any{"suffix": "/" + a.ID + "/" + DeadLetterQueueName(env)}}}}),
		// CloudWatch's API host is monitoring.amazonaws.com; matched on the
		// CloudTrail eventSource alone, without assuming its source name.
		map[string]any{"detail": map[string]any{
			"eventSource":       []string{"monitoring.amazonaws.com"},
			"eventName":         []string{"DeleteAlarms", "DisableAlarmActions"},
			"requestParameters": map[string]any{"alarmNames": prefix},
		}},
		call("cloudtrail", []string{"DeleteTrail", "PutEventSelectors", "StopLogging", "UpdateTrail"}, nil),
		call("config", []string{"DeleteConfigRule", "DeleteConfigurationRecorder", "DeleteDeliveryChannel", "StopConfigurationRecorder"}, nil),
	)
}

// BreakGlassPattern matches every AssumeRole of the break-glass role, whoever
// calls it: the runbook says to announce it, so an unannounced one is an
// incident.
func BreakGlassPattern(a iam.Account) (string, error) {
	return anyOf(call("sts", []string{"AssumeRole"}, map[string]any{
		"requestParameters": map[string]any{"roleArn": []string{a.GlobalARN("iam", "role/"+BreakGlassRoleName)}},
	}))
}

// maxPatternLength is EventBridge's event pattern size quota; a longer
// pattern fails at deploy.
const maxPatternLength = quota.EventPattern

// checkPattern refuses a pattern EventBridge would refuse.
func checkPattern(rule, pattern string) error {
	if len(pattern) > maxPatternLength {
		return fmt.Errorf("event rule %s: pattern of %d characters exceeds EventBridge's %d", rule, len(pattern), maxPatternLength)
	}
	return nil
}
