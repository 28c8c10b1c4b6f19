#!/usr/bin/env bash
# Lints .github/workflows with actionlint, fetched from the Go module proxy at
# a pinned version (not a go.mod dependency: it is a tool, not a library the
# program links). shellcheck and pyflakes are used when installed; without
# them actionlint still checks syntax, expressions, action inputs and
# permissions.
set -euo pipefail
cd "$(dirname "$0")/.."

ACTIONLINT_VERSION=v1.7.12
shopt -s nullglob
files=(.github/workflows/*.yml .github/workflows/*.yaml)
if [ ${#files[@]} -eq 0 ]; then
  echo "lint-workflows: no workflow files in .github/workflows" >&2
  exit 1
fi
# Run from a temporary directory so the root go.mod is neither read nor changed.
root=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
args=()
for f in "${files[@]}"; do args+=("$root/$f"); done
GOFLAGS=-mod=mod go run "github.com/rhysd/actionlint/cmd/actionlint@${ACTIONLINT_VERSION}" -color "${args[@]}"
echo "actionlint ${ACTIONLINT_VERSION}: ${#files[@]} workflow file(s) clean"
