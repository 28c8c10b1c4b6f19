#!/usr/bin/env bash
# Lints .github/workflows with actionlint, fetched from the Go module proxy at
# a pinned version (not a go.mod dependency: it is a tool, not a library the
# program links). actionlint runs shellcheck on every `run:` script when it is
# on PATH, so it is installed from Debian when missing and we are root (as on
# CI); without it actionlint still checks syntax, expressions, action inputs
# and permissions, and says so below. The pins, session lengths and
# environments are checked by the Go tests of internal/delivery.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v shellcheck >/dev/null && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "lint-workflows: installing shellcheck from Debian"
  (apt-get update -qq && apt-get install -y -qq shellcheck >/dev/null) || echo "lint-workflows: could not install shellcheck" >&2
fi
shellcheck_note="with shellcheck on run: scripts"
command -v shellcheck >/dev/null || shellcheck_note="WITHOUT shellcheck (apt-get install shellcheck)"

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
echo "actionlint ${ACTIONLINT_VERSION}: ${#files[@]} workflow file(s) clean, ${shellcheck_note}"
