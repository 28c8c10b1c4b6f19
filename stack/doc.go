// Package stack composes the whole program from the validated config: keys,
// database, secret catalog, rotation, access, sharing and alerts. `pulumi up`
// (through main.program), the offline plan and the mocks tests all run
// Compose, so they run exactly the same program.
package stack
