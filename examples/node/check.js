// check.js runs one scenario of secrets.js against the services the Go test
// (internal/consumerexamples) starts, and prints one JSON line with what
// happened. It prints digests of values, never values.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { connectDatabase, NoValueYetError, SecretReader, WrongHostError } from './secrets.js'

const env = process.env
const digest = (s) => createHash('sha256').update(s).digest('hex')
const expected = { host: env.EXPECTED_HOST, port: env.EXPECTED_PORT }
const ca = env.PG_CA_FILE ? readFileSync(env.PG_CA_FILE, 'utf8') : undefined

// counting wraps a real client and counts its calls.
function counting(client) {
  const c = { calls: 0, send: (cmd) => { c.calls++; return client.send(cmd) } }
  return c
}

const scenarios = {
  // The bounded cache: one call for two reads inside the TTL, a new call
  // after it, the last value while Secrets Manager is unreachable (a client
  // pointed at a closed port), and an error once maxStale has passed too.
  async cache() {
    const real = counting(new SecretsManagerClient({}))
    const down = new SecretsManagerClient({ endpoint: env.DEAD_ENDPOINT, maxAttempts: 1 })
    let t = 1_000_000
    let failing = false
    const client = { send: (cmd) => (failing ? down.send(cmd) : real.send(cmd)) }
    const ttl = 300_000, maxStale = 900_000
    const reader = new SecretReader({ client, ttlMs: ttl, maxStaleMs: maxStale, now: () => t, random: () => 1 })
    const first = await reader.get(env.JSON_SECRET_ID)
    await reader.get(env.JSON_SECRET_ID)
    const callsInsideTTL = real.calls
    t += ttl + ttl / 10 + 1
    await reader.get(env.JSON_SECRET_ID)
    const callsAfterTTL = real.calls
    failing = true
    t += ttl + ttl / 10 + 1
    const stale = await reader.get(env.JSON_SECRET_ID)
    t += maxStale
    let refusedAfterMaxStale = false
    try {
      await reader.get(env.JSON_SECRET_ID)
    } catch (err) {
      refusedAfterMaxStale = !String(err.message).includes(first)
    }
    return { digest: digest(first), callsInsideTTL, callsAfterTTL, servedStale: stale === first, refusedAfterMaxStale }
  },
  async placeholder() {
    try {
      await new SecretReader().get(env.PLACEHOLDER_SECRET_ID)
      return { error: '' }
    } catch (err) {
      return { error: err.constructor.name, message: err.message, noValueYet: err instanceof NoValueYetError }
    }
  },
  async wrongHost() {
    try {
      await connectDatabase({ reader: new SecretReader(), secretId: env.WRONG_HOST_SECRET_ID, expected, ca })
      return { error: '' }
    } catch (err) {
      return { error: err.constructor.name, message: err.message, wrongHost: err instanceof WrongHostError }
    }
  },
  async connect() {
    const { client, stage, refused } = await connectDatabase({ reader: new SecretReader(), secretId: env.DB_SECRET_ID, expected, ca })
    try {
      const r = await client.query('select current_user as "user", ssl from pg_stat_ssl where pid = pg_backend_pid()')
      return { stage, refused, user: r.rows[0].user, ssl: r.rows[0].ssl }
    } finally {
      await client.end()
    }
  }
}

const name = process.argv[2]
if (!scenarios[name]) {
  console.error(`usage: node check.js ${Object.keys(scenarios).join('|')}`)
  process.exit(2)
}
try {
  console.log(JSON.stringify(await scenarios[name]()))
} catch (err) {
  console.log(JSON.stringify({ failed: `${err.constructor.name}: ${err.message}`, code: err.code ?? '' }))
  process.exit(1)
}
