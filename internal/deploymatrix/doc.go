// Package deploymatrix is the deployability matrix: the AWS calls the AWS
// provider makes for each resource type the program registers.
//
// For every resource type the program and the bootstrap can register it
// lists the AWS API actions the provider calls to create, read, update and
// delete it, the resource each call is authorised on, the request context
// its conditions see, and the source that says so (the Terraform AWS
// provider's code, which pulumi-aws wraps, or AWS's documentation).
//
// It is the one source the identity proofs read: the bootstrap's tests expand
// every resource of every stack recording into the requests of its rows and
// ask the IAM simulator whether the deploy role, the preview role and the
// consumer deploy role may make them. A registered type without a row fails
// those tests, so a change that adds a type adds its row.
//
// The matrix is read from code and documentation, not observed: only a real
// deploy (with CloudTrail, or the provider's debug log) proves it complete.
package deploymatrix
