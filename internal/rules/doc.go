// Package rules checks a mockrun recording against the security rules every
// stack must satisfy.
//
// The exceptions the program makes on purpose are named here too.
//
// It keeps what a real evaluator cannot judge: the IAM simulator decides who
// may do what on the committed stacks (stack/access_test.go); this package
// checks settings and shapes no simulator sees (key rotation, recovery
// windows, protect, log retention, KMS encryption-context conditions,
// rotation schedules, dead-letter queues) on every recording, variants
// included, which is why rule 10's consumer check, the one overlap, stays.
package rules
