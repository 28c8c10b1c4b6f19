// Package secrets holds the component resources of the secret store: the
// customer-managed KMS keys and the named secret catalog.
package secrets
