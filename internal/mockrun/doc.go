// Package mockrun runs the Pulumi program under pulumi.WithMocks with the real
// config of a stack and records every resource it registers (type, name,
// inputs, options) and every stack output.
//
// It is ordinary code, not test code, because the offline plan (cmd/plan)
// runs the program the same way the tests do; the rule checker
// (internal/rules) and the IAM-simulator tests read its recordings.
package mockrun
