// Package delivery holds what the GitHub workflows need beyond YAML.
//
// That is the digest of a `pulumi preview --json` that a gated deploy job
// compares with the preview its reviewers approved, so that it applies the
// reviewed change or nothing (docs/delivery.md).
//
// Its tests also hold the pipeline to its rules: every action pinned by
// commit SHA, the Pulumi CLI at the SDK's version from go.mod, no token left
// on disk, every deploy behind a GitHub environment, every AWS role session
// at least as long as its job may run, a drift check per stack, and CODEOWNERS
// over the paths that grant identities.
package delivery
