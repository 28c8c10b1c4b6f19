// Package enginetest runs the Pulumi program under the real Pulumi engine.
//
// The CLI that scripts/pulumi-cli.sh builds at the SDK's version runs the
// program, which the tests serve in process as a language host, on a local
// file backend with a passphrase secrets provider, with the stand-in provider
// plugins of internal/standin on PATH as pulumi-resource-aws and
// pulumi-resource-random. AWS is the only thing stood in for: config
// validation, diffing, protect, secrets encryption and the checkpoint are the
// engine's own.
//
// The CLI's path comes from SECRETS_PLATFORM_PULUMI_CLI (scripts/test.sh sets
// it); without it every engine test fails saying how to build it.
package enginetest
