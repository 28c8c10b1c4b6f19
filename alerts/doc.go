// Package alerts holds the alerting component of a stack: one SNS topic
// encrypted with the stack's platform key, the EventBridge rules that forward
// failed rotations, dangerous API calls and the manual-secret age check to it,
// and the CloudWatch alarms on the rotation functions.
//
// Names are derived from the environment ("{env}-..."), because the topic
// policy and the key policy admit EventBridge and CloudWatch only for rules
// and alarms whose ARNs carry that prefix.
package alerts
