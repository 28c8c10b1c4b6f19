#!/usr/bin/env bash
# Runs every test of the repository, installing or starting what they need.
# It is what .ci/run calls and what the README's second command is.
#
#   - the root module (the Pulumi program under mocks, rotation engine and
#     strategies against moto, PostgreSQL and aws-lambda-rie, IAM policies
#     through the IAM simulator),
#   - the secretcache module (with -race),
#   - the testenv module,
#   - go vet on all three, and actionlint on the GitHub workflows.
#
# The services themselves (moto, PostgreSQL, aws-lambda-rie, the simulator)
# are started and stopped by the tests; this script only installs the pinned
# tools that a fresh machine lacks and fails early, with the fix, when a
# preinstalled service is missing.
set -uo pipefail
cd "$(dirname "$0")/.."

RIE_VERSION=v0.0.0-20261030222936-bef5c4ba774d
failures=()

step() { printf '\n=== %s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; failures+=("$*"); }

# gotest runs `go test -v` in a module, keeps the verbose log, prints one line
# per package (and the failing tests' output), and adds up tests and subtests.
logs=$(mktemp -d)
passed=0 failed=0 skipped=0
gotest() {
  local name=$1 dir=$2; shift 2
  local log="$logs/$name.log" rc
  (cd "$dir" && go test -v "$@" 2>&1) >"$log"; rc=$?
  grep -E '^(ok|FAIL|panic:)|^\s*--- FAIL' "$log"
  # The access matrix's summary table, which the test logs for the record.
  awk '/access_test\.go:[0-9]+: *$/ {p=1; next} /^ *(---|===)/ {p=0} p' "$log"
  passed=$((passed + $(grep -cE '^\s*--- PASS' "$log")))
  failed=$((failed + $(grep -cE '^\s*--- FAIL' "$log")))
  skipped=$((skipped + $(grep -cE '^\s*--- SKIP' "$log")))
  if [ "$rc" -ne 0 ]; then
    echo "--- last 200 lines of $log:"
    tail -n 200 "$log"
  fi
  return "$rc"
}

step "prerequisites"
command -v go >/dev/null || { echo "go is required (1.26.8 or newer)" >&2; exit 1; }
python3 -c 'import moto' 2>/dev/null || fail "moto: python3 -c 'import moto' failed; moto 5.2.1 is preinstalled on this machine kind (PyPI is unreachable). Use the pyenv python3 that has it."
pg_bin=/usr/lib/postgresql/15/bin
[ -x "$pg_bin/initdb" ] || pg_bin=$(pg_config --bindir 2>/dev/null || true)
if [ ! -x "$pg_bin/initdb" ]; then
  echo "PostgreSQL 15 server binaries missing: installing postgresql-15 from Debian"
  (apt-get update -qq && apt-get install -y -qq postgresql-15) || fail "PostgreSQL 15: run apt-get install postgresql-15"
fi
command -v node >/dev/null || fail "node: install Node 20 (apt-get install nodejs) for the IAM simulator"

step "aws-lambda-rie ${RIE_VERSION}"
gobin=$(go env GOBIN); [ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
if ! command -v aws-lambda-rie >/dev/null && [ ! -x "$gobin/aws-lambda-rie" ]; then
  go install "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@${RIE_VERSION}" || fail "go install aws-lambda-rie"
fi
export PATH="$gobin:$PATH"

step "IAM simulator (npm ci, pinned by tools/iamsim/package-lock.json)"
npm ci --prefix tools/iamsim --no-audit --no-fund --loglevel=error || fail "npm ci --prefix tools/iamsim"

step "Node.js consumer example (npm ci, pinned by examples/node/package-lock.json)"
npm ci --prefix examples/node --no-audit --no-fund --loglevel=error || fail "npm ci --prefix examples/node"

step "go vet (root, secretcache, secretcache integration, testenv)"
go vet ./... || fail "go vet (root)"
(cd secretcache && go vet ./...) || fail "go vet (secretcache)"
(cd secretcache/integration && go vet ./...) || fail "go vet (secretcache integration)"
(cd internal/testenv && go vet ./...) || fail "go vet (testenv)"

step "engine: the Pulumi CLI at go.mod's SDK version (scripts/pulumi-cli.sh)"
# The engine tests (internal/enginetest, in the root module) run the program
# through the real CLI; the build is cached outside the repository by version.
engine_start=$SECONDS
if SECRETS_PLATFORM_PULUMI_CLI=$(scripts/pulumi-cli.sh); then
  export SECRETS_PLATFORM_PULUMI_CLI
  echo "$SECRETS_PLATFORM_PULUMI_CLI ($((SECONDS - engine_start))s)"
else
  fail "scripts/pulumi-cli.sh: the engine tests need the Pulumi CLI"
fi

step "go test: root module"
gotest root . -count=1 -timeout 40m ./... || fail "go test (root)"

step "go test -race: secretcache module (no services)"
gotest secretcache secretcache -race -count=1 -timeout 20m ./... || fail "go test (secretcache)"

step "go test -race: secretcache integration module (moto, PostgreSQL, IAM simulator, a consumer module)"
gotest secretcache-integration secretcache/integration -race -count=1 -timeout 20m ./... || fail "go test (secretcache integration)"

step "go test: testenv module"
gotest testenv internal/testenv -count=1 -timeout 10m ./... || fail "go test (testenv)"

if [ -x scripts/lint-workflows.sh ]; then
  step "actionlint on .github/workflows"
  scripts/lint-workflows.sh || fail "actionlint"
fi

printf '\nverbose logs: %s\n' "$logs"
if [ ${#failures[@]} -gt 0 ]; then
  printf '\n%d step(s) failed:\n' "${#failures[@]}" >&2
  printf '  - %s\n' "${failures[@]}" >&2
fi
if [ $((passed + failed)) -eq 0 ]; then
  echo "no test ran" >&2
  exit 1
fi
printf '\ntests: %d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
[ ${#failures[@]} -eq 0 ]
