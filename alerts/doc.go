// Package alerts holds the alerting component of a stack.
//
// It is one SNS topic encrypted with the stack's platform key; the EventBridge
// rules that forward failed rotations, the CloudTrail detections (dangerous
// calls, people changing secrets or keys, operator puts, tampering with the
// alert path, use of the break-glass role) and the manual-secret age check to
// it, each with a dead-letter queue and EventBridge's retry maxima; and the
// CloudWatch alarms on the rotation functions, on every rule's failed
// deliveries and on the dead-letter queue, so a lost alert is itself an alert.
//
// Names are derived from the environment ("{env}-..."), because the topic
// policy and the key policy admit EventBridge and CloudWatch only for rules
// and alarms whose ARNs carry that prefix, and the tampering rule watches
// that prefix. The patterns are tested against CloudTrail-shaped sample
// events in moto's EventBridge (detection_test.go).
package alerts
