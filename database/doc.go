// Package database holds the managed PostgreSQL component, with its private
// network.
//
// That is the network, security groups, parameter group, RDS instance
// (master password managed by RDS, encrypted with the stack's secrets key)
// and the Secrets Manager VPC endpoint that rotation in private subnets
// needs.
package database
