// Package stack composes the whole program from the validated config.
//
// Keys, database, secret catalog, rotation, access, sharing and alerts are
// registered in that order, each layer a call that takes what the earlier
// ones returned. `pulumi up` (through main.program), the offline plan and
// the mocks tests all run Compose, so they run exactly the same program.
package stack
