// Package lambdaext holds what a Lambda function needs to read its secrets
// through AWS's secrets Lambda extension.
//
// That is the AWS Parameters and Secrets Lambda Extension's published layer
// ARNs by region and architecture, and the environment that matches the
// extension's cache to the stack's cache profile. It imports only
// the standard library, so config can refuse a region without a layer before
// anything is registered.
package lambdaext
