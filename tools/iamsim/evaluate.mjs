// evaluate.mjs: test-only bridge from internal/testenv (Go) to
// @cloud-copilot/iam-simulate. It reads a JSON array of requests on stdin and
// writes a JSON array of decisions on stdout, in the same order, so that one
// node process serves a whole batch (node start-up dominates the cost).
//
// Request:  {name, principal, action, resource, resourceAccount?,
//            identityPolicies: [policy...], resourcePolicy?, context?}
// Decision: {name, result: "Allowed"|"ImplicitlyDenied"|"ExplicitlyDenied"|"",
//            error: "" or why the request could not be simulated,
//            ignoredContextKeys: [keys the simulator dropped]}
//
// A failure of one request is reported in its decision and does not stop the
// batch; only unreadable input makes the script exit non-zero.
import { runSimulation } from '@cloud-copilot/iam-simulate'

// accountOf returns the account id field of an ARN, or "" when there is none
// (arn:partition:service:region:account:resource).
function accountOf(arn) {
  const parts = String(arn).split(':')
  return parts.length >= 6 && parts[0] === 'arn' ? parts[4] : ''
}

// principalArnOf maps an assumed-role session ARN to its role ARN, which is
// what AWS puts in aws:PrincipalArn; other ARNs are returned unchanged.
function principalArnOf(arn) {
  const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(String(arn))
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : String(arn)
}

// contextVariables turns the request context into the simulator's
// string | string[] values. AWS always sets aws:PrincipalArn and
// aws:PrincipalAccount but the simulator does not, so they are filled from
// the principal unless the request sets them itself.
function contextVariables(req) {
  const out = {}
  const principalAccount = accountOf(req.principal)
  if (principalAccount) {
    out['aws:PrincipalArn'] = principalArnOf(req.principal)
    out['aws:PrincipalAccount'] = principalAccount
  }
  for (const [key, value] of Object.entries(req.context ?? {})) {
    out[key] = Array.isArray(value) ? value.map(String) : String(value)
  }
  return out
}

// simulate evaluates one request. The resource account decides whether AWS
// treats the call as cross-account (identity policy AND resource policy must
// allow) or same-account (either suffices), so it is never left to chance:
// the request's resourceAccount, else the resource ARN's account, else the
// principal's account.
async function simulate(req) {
  const decision = { name: req.name ?? '', result: '', error: '', ignoredContextKeys: [] }
  const resourceAccount = req.resourceAccount || accountOf(req.resource) || accountOf(req.principal)
  const simulation = {
    request: {
      principal: req.principal,
      action: req.action,
      resource: { resource: req.resource, accountId: resourceAccount },
      contextVariables: contextVariables(req)
    },
    identityPolicies: (req.identityPolicies ?? []).map((policy, i) => ({ name: `identity-${i}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: []
  }
  if (req.resourcePolicy) {
    simulation.resourcePolicy = req.resourcePolicy
  }
  const res = await runSimulation(simulation, {})
  if (res.resultType === 'error') {
    decision.error = `${res.errors.message}: ${JSON.stringify(res.errors)}`
    return decision
  }
  decision.result = res.overallResult
  const results = res.resultType === 'single' ? [res.result] : res.results
  decision.ignoredContextKeys = [...new Set(results.flatMap((r) => r?.ignoredContextKeys ?? []))]
  return decision
}

async function main() {
  let input = ''
  for await (const chunk of process.stdin) {
    input += chunk
  }
  const requests = JSON.parse(input)
  if (!Array.isArray(requests)) {
    throw new Error('input must be a JSON array of requests')
  }
  const decisions = []
  for (const req of requests) {
    try {
      decisions.push(await simulate(req))
    } catch (err) {
      decisions.push({ name: req?.name ?? '', result: '', error: String(err?.stack ?? err), ignoredContextKeys: [] })
    }
  }
  process.stdout.write(JSON.stringify(decisions))
}

main().catch((err) => {
  process.stderr.write(`evaluate.mjs: ${err?.stack ?? err}\n`)
  process.exit(1)
})
