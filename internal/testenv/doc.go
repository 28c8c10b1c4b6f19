// Package testenv starts the real services that the runtime tests need, each
// on 127.0.0.1.
//
// They are the moto AWS API server, a throwaway TLS PostgreSQL,
// aws-lambda-rie, the IAM policy simulator, and a hostile PostgreSQL
// look-alike that records what clients send it. A missing service fails the
// test with the command that installs it, never a skip.
//
// It is its own module, with only the standard library, so that both the Pulumi
// program's module and the secretcache module can use it without one inheriting
// the other's dependencies.
package testenv
