// Package mockrun runs the Pulumi program under pulumi.WithMocks with the real
// config of a stack.
//
// A run records every resource the program registers (type, name, inputs,
// options) with every stack output.
//
// It is ordinary code, not test code, because the offline plan (cmd/plan)
// runs the program the same way the tests do; the rule checker
// (internal/rules) and the IAM-simulator tests read its recordings.
package mockrun
