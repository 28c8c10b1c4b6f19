package alerts

import "github.com/acme/secrets-platform/iam"

// Service principals that publish to the alert topic.
const (
	eventsService     = "events.amazonaws.com"
	cloudwatchService = "cloudwatch.amazonaws.com"
)

// sources are the ARN patterns of the rules and alarms this stack makes:
// every grant to a service is conditioned on them, so another team's rule or
// alarm in the same account cannot publish through this topic or its key.
func sources(acct iam.Account, env string) (rules, alarms string) {
	return acct.ARN("events", "rule/"+env+"-*"), acct.ARN("cloudwatch", "alarm:"+env+"-*")
}

func sourceConditions(accountID, sourceArn string) iam.Conditions {
	return iam.Conditions{
		"StringEquals": {"aws:SourceAccount": {accountID}},
		"ArnLike":      {"aws:SourceArn": {sourceArn}},
	}
}

// TopicARN is the alert topic's ARN, known before it exists because the
// topic's name is fixed: the key policy is written before the topic.
func TopicARN(acct iam.Account, env string) string {
	return acct.ARN("sns", TopicName(env))
}

// KeyStatements are the platform key policy statements the alert topic and
// the dead-letter queue need. SNS encrypts each message with the topic's key
// on the publisher's behalf, so EventBridge and CloudWatch must be allowed to
// generate data keys and decrypt them; both are conditioned on the encryption
// context SNS sends (kms:EncryptionContext:aws:sns:topicArn = this stack's
// alert topic), so the grant is good for this topic only. CloudWatch's is
// also conditioned on this stack's alarm ARNs and account; EventBridge's is
// not, because the KMS request EventBridge delivery makes does not carry
// aws:SourceArn or aws:SourceAccount (such a condition would drop every alert
// silently); the topic policy checks the rule's ARN instead. EventBridge's
// writes to the dead-letter queue are conditioned the same way, on the
// queue's ARN as SQS's encryption context, and the queue policy checks the
// rule ARNs.
func KeyStatements(acct iam.Account, env string) []iam.Statement {
	_, alarms := sources(acct, env)
	actions := iam.Strings{"kms:Decrypt", "kms:GenerateDataKey"}
	context := map[string]iam.Strings{"kms:EncryptionContext:aws:sns:topicArn": {TopicARN(acct, env)}}
	cw := sourceConditions(acct.ID, alarms)
	for k, v := range context {
		cw["StringEquals"][k] = v
	}
	return []iam.Statement{
		{
			// SQS asks KMS with the queue's ARN as encryption context.
			Sid:       "EventBridgeRulesDeadLetterToTheAlertQueue",
			Effect:    iam.Allow,
			Principal: &iam.Principal{Service: iam.Strings{eventsService}},
			Action:    actions,
			Resource:  iam.Strings{"*"},
			Condition: iam.Conditions{"StringEquals": {"kms:EncryptionContext:aws:sqs:arn": {DeadLetterQueueARN(acct, env)}}},
		},
		{
			Sid:       "EventBridgeRulesPublishToTheAlertTopic",
			Effect:    iam.Allow,
			Principal: &iam.Principal{Service: iam.Strings{eventsService}},
			Action:    actions,
			Resource:  iam.Strings{"*"},
			Condition: iam.Conditions{"StringEquals": context},
		},
		{
			Sid:       "CloudWatchAlarmsPublishToTheAlertTopic",
			Effect:    iam.Allow,
			Principal: &iam.Principal{Service: iam.Strings{cloudwatchService}},
			Action:    actions,
			Resource:  iam.Strings{"*"},
			Condition: cw,
		},
	}
}

// TopicPolicy lets this stack's EventBridge rules and CloudWatch alarms
// publish to the topic, and refuses any publish that is not over TLS. The
// account's own principals need no statement: same-account IAM policies
// suffice for them.
func TopicPolicy(topicArn string, acct iam.Account, env string) iam.Document {
	rules, alarms := sources(acct, env)
	return iam.New(
		iam.Statement{
			Sid:       "EventBridgeRulesOfThisStack",
			Effect:    iam.Allow,
			Principal: &iam.Principal{Service: iam.Strings{eventsService}},
			Action:    iam.Strings{"sns:Publish"},
			Resource:  iam.Strings{topicArn},
			Condition: sourceConditions(acct.ID, rules),
		},
		iam.Statement{
			Sid:       "CloudWatchAlarmsOfThisStack",
			Effect:    iam.Allow,
			Principal: &iam.Principal{Service: iam.Strings{cloudwatchService}},
			Action:    iam.Strings{"sns:Publish"},
			Resource:  iam.Strings{topicArn},
			Condition: sourceConditions(acct.ID, alarms),
		},
		denyWithoutTLS("DenyPublishWithoutTLS", topicArn, "sns:Publish"),
	)
}

// denyWithoutTLS refuses the actions on resource to anyone not using TLS.
func denyWithoutTLS(sid, resource string, actions ...string) iam.Statement {
	return iam.Statement{
		Sid:       sid,
		Effect:    iam.Deny,
		Principal: &iam.Principal{Any: true},
		Action:    iam.Strings(actions),
		Resource:  iam.Strings{resource},
		Condition: iam.Conditions{"Bool": {"aws:SecureTransport": {"false"}}},
	}
}

// QueuePolicy lets EventBridge put the undeliverable events of the given
// rules (ARNs or ARN patterns: DeadLetterPatterns) into the dead-letter queue,
// and refuses any request that is not over TLS. The account's own principals
// need no statement.
func QueuePolicy(queueArn string, acct iam.Account, ruleArns []string) iam.Document {
	return iam.New(
		iam.Statement{
			Sid:       "RulesOfThisStack",
			Effect:    iam.Allow,
			Principal: &iam.Principal{Service: iam.Strings{eventsService}},
			Action:    iam.Strings{"sqs:SendMessage"},
			Resource:  iam.Strings{queueArn},
			Condition: iam.Conditions{
				"StringEquals": {"aws:SourceAccount": {acct.ID}},
				"ArnLike":      {"aws:SourceArn": iam.Strings(ruleArns)},
			},
		},
		denyWithoutTLS("DenyWithoutTLS", queueArn, "sqs:DeleteMessage", "sqs:ReceiveMessage", "sqs:SendMessage"),
	)
}
