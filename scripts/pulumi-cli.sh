#!/usr/bin/env bash
# Builds the Pulumi CLI at the version of the Pulumi SDK the program uses and
# prints the binary's path. The engine tests (internal/enginetest) run the
# program through it; nothing is downloaded at test time.
#
# The version is read from the root go.mod (github.com/pulumi/pulumi/sdk/v3),
# so the CLI and the SDK never drift; tools/pulumicli/go.mod pins
# github.com/pulumi/pulumi/pkg/v3 at the same version and this script refuses
# to build when they differ. The binary is cached outside the repository,
# keyed by version, beside Go's build cache:
#
#   $(dirname "$(go env GOCACHE)")/secrets-platform-tools/pulumi-<version>/bin/pulumi
#
# A cached binary is reused when it reports the expected version. Set
# PULUMI_CLI_CACHE to put the cache elsewhere.
#
#   SECRETS_PLATFORM_PULUMI_CLI=$(scripts/pulumi-cli.sh) go test ./internal/enginetest/
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(go list -m -f '{{.Version}}' github.com/pulumi/pulumi/sdk/v3)
pinned=$(cd tools/pulumicli && go list -m -f '{{.Version}}' github.com/pulumi/pulumi/pkg/v3)
if [ "$version" != "$pinned" ]; then
  echo "tools/pulumicli pins pulumi/pkg/v3 $pinned but go.mod uses pulumi/sdk/v3 $version;" >&2
  echo "fix: (cd tools/pulumicli && go get github.com/pulumi/pulumi/pkg/v3@$version && go mod tidy)" >&2
  exit 1
fi

cache=${PULUMI_CLI_CACHE:-"$(dirname "$(go env GOCACHE)")/secrets-platform-tools"}
dir="$cache/pulumi-$version/bin"
bin="$dir/pulumi"

# `pulumi version` prints the version the -X flag below baked in.
if [ -x "$bin" ] && [ "$(PULUMI_SKIP_UPDATE_CHECK=true "$bin" version 2>/dev/null)" = "$version" ]; then
  echo "$bin"
  exit 0
fi

mkdir -p "$dir"
tmp=$(mktemp "$dir/.pulumi.XXXXXX")
trap 'rm -f "$tmp"' EXIT
# Without the version the CLI reports none, and the Automation API refuses
# commands that need a minimum CLI version (destroy needs 3.181.0).
(cd tools/pulumicli && go build -o "$tmp" \
  -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
  github.com/pulumi/pulumi/pkg/v3/cmd/pulumi) >&2
mv "$tmp" "$bin"
trap - EXIT
echo "$bin"
