// Package rules checks a mockrun recording against the security rules every
// stack must satisfy.
//
// The exceptions the program makes on purpose are named here too.
//
// It keeps only what a real evaluator cannot judge: the IAM simulator decides
// who may do what (stack/access_test.go); this package checks settings and
// shapes no simulator sees (key rotation, recovery windows, protect, log
// retention, KMS encryption-context conditions, rotation schedules).
package rules
