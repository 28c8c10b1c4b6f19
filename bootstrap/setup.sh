#!/usr/bin/env bash
# First-time setup of one AWS account, as docs/bootstrap.md walks through it:
#   bootstrap/setup.sh <bootstrap stack> <main stack>
#   e.g. bootstrap/setup.sh prod-account prod
# Needs: administrator credentials for the account in the environment
# (AWS_PROFILE), the pulumi CLI, go, jq. Safe to re-run: every step checks
# whether it is already done. Never prints a secret.
set -euo pipefail
cd "$(dirname "$0")"

boot=${1:?usage: setup.sh <bootstrap stack, e.g. prod-account> <main stack, e.g. prod>}
main=${2:?usage: setup.sh <bootstrap stack> <main stack>}
[ -f "Pulumi.${boot}.yaml" ] || { echo "no bootstrap/Pulumi.${boot}.yaml" >&2; exit 1; }
[ -f "../Pulumi.${main}.yaml" ] || { echo "no Pulumi.${main}.yaml" >&2; exit 1; }

want=$(sed -n '/allowedAccountIds/{n;s/[^0-9]//gp;}' "Pulumi.${boot}.yaml")
have=$(aws sts get-caller-identity --query Account --output text)
[ "$want" = "$have" ] || { echo "credentials are for account $have, Pulumi.${boot}.yaml is for $want" >&2; exit 1; }

echo "== prerequisites the alerts rely on (reported, not changed)"
aws configservice describe-configuration-recorder-status \
  --query 'ConfigurationRecordersStatus[].{name:name,recording:recording}' --output table \
  || echo "WARNING: no AWS Config recorder: the manual-secret age rule will not evaluate"
aws cloudtrail describe-trails --query 'trailList[].{name:Name,multiRegion:IsMultiRegionTrail,org:IsOrganizationTrail}' --output table \
  || echo "WARNING: no CloudTrail trail: dangerous-call alerts need one"

backend=$(sed -n 's/^ *secrets-platform-bootstrap:stateBackend: *//p' "Pulumi.${boot}.yaml")
bucket=$(sed -n 's/^ *secrets-platform-bootstrap:stateBucketName: *//p' "Pulumi.${boot}.yaml")
region=$(sed -n 's/^ *aws:region: *//p' "Pulumi.${boot}.yaml")

echo "== 1. bootstrap with a local backend (its own state moves to the bucket in step 2)"
local_dir="$HOME/.pulumi-bootstrap/${boot}"
mkdir -p "$local_dir"
pulumi login "file://${local_dir}"
if ! pulumi stack select "$boot" 2>/dev/null; then
  # A passphrase only for the minutes before the KMS key exists; the stack
  # config holds no secret, and step 2 switches to the key.
  export PULUMI_CONFIG_PASSPHRASE=${PULUMI_CONFIG_PASSPHRASE:-$(openssl rand -hex 24)}
  pulumi stack init "$boot" --secrets-provider passphrase
fi
pulumi up --stack "$boot" --yes
provider=$(pulumi stack output secretsProvider --stack "$boot")
state=$(pulumi stack output stateBackend --stack "$boot")

echo "== 2. move the bootstrap's own state to $state, secrets under $provider"
pulumi stack change-secrets-provider --stack "$boot" "$provider"
if [ "$backend" = "s3" ]; then
  export_file=$(mktemp)
  trap 'rm -f "$export_file"' EXIT
  pulumi stack export --stack "$boot" --file "$export_file"
  pulumi login "$state"
  pulumi stack select "$boot" 2>/dev/null || pulumi stack init "$boot" --secrets-provider "$provider"
  pulumi stack import --stack "$boot" --file "$export_file"
  pulumi preview --stack "$boot" --expect-no-changes
  echo "bootstrap state now in s3://${bucket}; the local copy in ${local_dir} can be deleted"
else
  echo "stateBackend pulumi-cloud: run 'pulumi login' and 'pulumi stack init <org>/${boot}', then 'pulumi stack import' an export of this stack"
fi

echo "== 3. the main stack ${main}"
cd ..
pulumi login "$state"
pulumi stack select "$main" 2>/dev/null || pulumi stack init "$main" --secrets-provider "$provider"
go run ./cmd/plan --stack "$main" --section policies > /dev/null   # the config is valid
pulumi preview --stack "$main" --diff
echo "Commit bootstrap/Pulumi.${boot}.yaml and Pulumi.${main}.yaml (they now name the secrets provider)."
echo "Then configure the GitHub environments: docs/bootstrap.md, step 4. Region: ${region}."
