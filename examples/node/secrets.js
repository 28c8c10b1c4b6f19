// secrets.js: how a Node.js service reads the secrets platform's secrets with
// the guarantees the Go client (secretcache) gives. See docs/consumers.md.
//
//   - A bounded cache: a value is served from memory for ttl (plus up to
//     ttl/10 of jitter, so instances do not refresh together), then fetched
//     again; if Secrets Manager cannot be reached, the last good value is
//     served for at most maxStale more, then reads fail. The stack's rotation
//     grace periods assume exactly this bound (cache.ttl, cache.maxStale).
//   - A placeholder (a value the platform wrote before the first rotation or
//     an operator's first put) is "no value yet", never a value.
//   - The database secret must name the host the service was deployed
//     against; any other host is refused before a password is sent anywhere.
//   - With the single-user database strategy the password changes before the
//     new version becomes AWSCURRENT: a login refused with SQLSTATE 28P01
//     retries with AWSPENDING.
//
// No error message or log line carries a secret value.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import pg from 'pg'

// PLACEHOLDER_KEY marks a version that holds no value yet (rotator/contract).
export const PLACEHOLDER_KEY = 'secretsPlatformPlaceholder'

// NoValueYetError: the secret still holds the platform's placeholder.
export class NoValueYetError extends Error {}

// WrongHostError: a database secret names another server than expected.
export class WrongHostError extends Error {}

// SecretReader reads secret values through a bounded cache.
export class SecretReader {
  constructor({ client = new SecretsManagerClient({}), ttlMs = 5 * 60_000, maxStaleMs = 15 * 60_000, now = Date.now, random = Math.random } = {}) {
    Object.assign(this, { client, ttlMs, maxStaleMs, now, random })
    this.entries = new Map() // "id|stage" -> {value, expiresAt}
    this.inflight = new Map() // one fetch per key at a time
  }

  // get returns the SecretString of a stage (AWSCURRENT by default). It
  // returns null for AWSPENDING when no rotation is under way.
  async get(secretId, stage = 'AWSCURRENT') {
    const key = `${secretId}|${stage}`
    const entry = this.entries.get(key)
    const now = this.now()
    if (entry && now < entry.expiresAt) {
      return entry.value
    }
    try {
      const value = await this.fetch(key, secretId, stage)
      this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs + this.random() * (this.ttlMs / 10) })
      return value
    } catch (err) {
      if (err instanceof NoValueYetError || !entry || now >= entry.expiresAt + this.maxStaleMs) {
        throw err
      }
      return entry.value // stale, within maxStale
    }
  }

  // getJSON returns a stage's value parsed as JSON.
  async getJSON(secretId, stage = 'AWSCURRENT') {
    const value = await this.get(secretId, stage)
    if (value === null) {
      return null
    }
    try {
      return JSON.parse(value)
    } catch {
      throw new Error(`secret ${secretId} (${stage}) is not JSON`) // never the value
    }
  }

  // invalidate drops a cached stage, so the next get fetches it.
  invalidate(secretId, stage = 'AWSCURRENT') {
    this.entries.delete(`${secretId}|${stage}`)
  }

  fetch(key, secretId, stage) {
    if (!this.inflight.has(key)) {
      const p = this.fetchOnce(secretId, stage).finally(() => this.inflight.delete(key))
      this.inflight.set(key, p)
    }
    return this.inflight.get(key)
  }

  async fetchOnce(secretId, stage) {
    let out
    try {
      // Always name the stage: a role limited to one versionStage is denied
      // a read that names none.
      out = await this.client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }))
    } catch (err) {
      if (stage === 'AWSPENDING' && err.name === 'ResourceNotFoundException') {
        return null
      }
      throw new Error(`read secret ${secretId} (${stage}): ${err.name}`)
    }
    const value = out.SecretString
    if (value === undefined) {
      throw new Error(`secret ${secretId} (${stage}) has no SecretString`)
    }
    if (isPlaceholder(value)) {
      throw new NoValueYetError(`secret ${secretId} has no value yet: the first rotation, or an operator's first put, writes it`)
    }
    return value
  }
}

function isPlaceholder(value) {
  if (!value.includes(PLACEHOLDER_KEY)) {
    return false
  }
  try {
    const doc = JSON.parse(value)
    return doc !== null && typeof doc === 'object' && Object.hasOwn(doc, PLACEHOLDER_KEY)
  } catch {
    return false
  }
}

// databaseSecret reads one stage of the RDS-shaped secret and refuses it if
// it names another server than the one the service was deployed against.
async function databaseSecret(reader, secretId, stage, expected) {
  const s = await reader.getJSON(secretId, stage)
  if (s === null) {
    return null
  }
  for (const field of ['host', 'port', 'username', 'password', 'dbname']) {
    if (s[field] === undefined || s[field] === '') {
      throw new Error(`secret ${secretId} (${stage}) has no ${field}`)
    }
  }
  if (s.host !== expected.host || (expected.port !== undefined && Number(s.port) !== Number(expected.port))) {
    throw new WrongHostError(`secret ${secretId} (${stage}) names ${s.host}:${s.port}, not the expected ${expected.host}:${expected.port ?? s.port}: refused before connecting`)
  }
  return s
}

// login opens a connection that verifies the server's certificate against ca
// (the RDS CA bundle in production) and its name against the host.
async function login(s, ca) {
  const client = new pg.Client({
    host: s.host, port: Number(s.port), user: s.username, password: s.password, database: s.dbname,
    ssl: { ca, rejectUnauthorized: true }, connectionTimeoutMillis: 5000
  })
  try {
    await client.connect()
    return client
  } catch (err) {
    await client.end().catch(() => {})
    throw err
  }
}

// SQLSTATE_INVALID_PASSWORD is PostgreSQL's answer to a wrong password.
export const SQLSTATE_INVALID_PASSWORD = '28P01'

// connectDatabase logs in with AWSCURRENT; if PostgreSQL refuses the password,
// it re-reads AWSCURRENT (the rotation may have just finished) and otherwise
// uses AWSPENDING, which the single-user rotation has already set in the
// database. It returns the client and the stage that worked.
export async function connectDatabase({ reader, secretId, expected, ca }) {
  const current = await databaseSecret(reader, secretId, 'AWSCURRENT', expected)
  try {
    return { client: await login(current, ca), stage: 'AWSCURRENT', refused: 0 }
  } catch (err) {
    if (err.code !== SQLSTATE_INVALID_PASSWORD) {
      throw err
    }
    reader.invalidate(secretId, 'AWSCURRENT')
    const fresh = await databaseSecret(reader, secretId, 'AWSCURRENT', expected)
    if (fresh.password !== current.password || fresh.username !== current.username) {
      return { client: await login(fresh, ca), stage: 'AWSCURRENT', refused: 1 }
    }
    reader.invalidate(secretId, 'AWSPENDING')
    const pending = await databaseSecret(reader, secretId, 'AWSPENDING', expected)
    if (pending === null) {
      throw err
    }
    return { client: await login(pending, ca), stage: 'AWSPENDING', refused: 1 }
  }
}
