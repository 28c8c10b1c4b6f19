// Package artifact builds the rotator Lambda's zip reproducibly.
//
// It cross-compiles cmd/rotator for linux/arm64 with fixed flags and the
// toolchain go.mod pins, zips the bootstrap with fixed metadata, and caches
// the result by a hash of its inputs, so two machines upload the same bytes
// and a second preview shows no change.
package artifact
