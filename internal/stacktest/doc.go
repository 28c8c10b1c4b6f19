// Package stacktest runs the Pulumi program under pulumi.WithMocks with the
// real config of each committed Pulumi.<stack>.yaml, records every resource it
// registers (type, name, inputs, options) and every stack output, and checks the
// recording against the security rules of SECURITY-RULES.md.
//
// It is ordinary code, not test code, because the offline plan (cmd/plan)
// runs the same program the same way.
package stacktest
