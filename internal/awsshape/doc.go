// Package awsshape holds what AWS computes when the program creates a resource.
//
// That is physical ids, ARNs (a secret's with its six-character suffix), KMS
// key ids, the RDS instance's address, port and master user secret, and the
// answers to the invokes the program makes. It also holds the one table of
// input properties whose change makes AWS replace a resource instead of
// updating it.
//
// It stands in for AWS's side of a deployment only, in realistic shapes, so
// that the stand-in provider plugins the engine tests run (internal/standin)
// and the mocks harness can share it. It is not a fake AWS: it stores
// nothing, checks nothing and answers only what the program asks.
package awsshape
