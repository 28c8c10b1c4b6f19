// Package rotation deploys secret rotation: it builds and packages the Go
// rotator Lambda (cmd/rotator) reproducibly, and registers one Rotator
// component per automatically rotated secret (role, log group, function,
// invoke permission, rotation schedule and, for third-party keys, the grace
// sweep), or a HostedRotator when AWS's own PostgreSQL rotator runs the
// strategy.
//
// The components take validated config and ARNs as arguments and never read
// config themselves; the policies they attach are typed iam documents built by
// pure functions, so tests can check them without running Pulumi.
package rotation
