// Package testenv starts the real services that the runtime tests need (the moto
// AWS API server, a throwaway TLS PostgreSQL, aws-lambda-rie and the IAM policy
// simulator, plus a hostile PostgreSQL look-alike that records what clients
// send it), each on 127.0.0.1, and fails a test with the command that installs
// a missing service instead of skipping it.
//
// It is its own module, with only the standard library, so that both the Pulumi
// program's module and the secretcache module can use it without one inheriting
// the other's dependencies.
package testenv
