// Package rotation holds the Pulumi components that deploy the Go rotator of
// a group of secrets.
//
// Groups cuts the rotated secrets into groups that share a strategy and
// settings and fit AWS's limits (decision D1). A Rotator registers a group's
// function, role, log group and, for third-party keys, the grace sweep; per
// secret it registers the invoke permission, and under the secret's own
// component the rotation schedule.
//
// The components take validated config and ARNs as arguments and never read
// config themselves; the policies they attach are typed iam documents built by
// pure functions, so tests can check them without running Pulumi. The
// function's code comes from rotation/artifact, its environment from
// rotator/contract.
package rotation
