// Package rotation holds the Pulumi components that deploy the Go rotator of
// a secret.
//
// A Rotator registers the function's role, log group, invoke permission and
// rotation schedule, plus the grace sweep for third-party keys.
//
// The components take validated config and ARNs as arguments and never read
// config themselves; the policies they attach are typed iam documents built by
// pure functions, so tests can check them without running Pulumi. The
// function's code comes from rotation/artifact, its environment from
// rotator/contract.
package rotation
