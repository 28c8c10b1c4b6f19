// Package integration holds secretcache's tests that need real services or
// the go command.
//
// They use moto, PostgreSQL and the IAM simulator (started through
// internal/testenv), and an application module built outside this
// repository.
//
// It is its own unpublished module so that none of this reaches an
// application that requires secretcache.
package integration
