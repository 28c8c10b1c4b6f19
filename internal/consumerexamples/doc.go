// Package consumerexamples runs the consumer examples of docs/consumers.md
// (examples/node, examples/python) against the real services of this
// machine: moto for Secrets Manager and PostgreSQL 15 with TLS. It has only
// tests; the examples themselves are not Go.
package consumerexamples
