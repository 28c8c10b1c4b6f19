// Package consumerexamples runs the consumer examples of docs/consumers.md
// (examples/node, examples/python) against this machine's real services.
//
// Those are moto for Secrets Manager, PostgreSQL 15 with TLS. It has only
// tests; the examples themselves are not Go.
package consumerexamples
