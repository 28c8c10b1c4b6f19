// Package secrets holds the secret store's components: its customer-managed
// KMS keys, its named secret catalog.
package secrets
