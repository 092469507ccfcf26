import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { randomToken, sha256 } from '@mxcp/auth-core/store-kit'
import {
  clientRecord,
  codeRecord,
  sessionRecord,
  tokenRecord,
  transactionRecord,
} from '@mxcp/auth-core/testing'
import type { PostgresStore } from '../src/postgres-store.js'
import {
  dropSchema,
  openTestStore,
  randomSchema,
  schemaExists,
  TEST_KEY,
  withAdminClient,
} from './support/database.js'

const schema = randomSchema()
let store: PostgresStore

before(async () => {
  store = await openTestStore(schema)
})
after(async () => {
  await store.close()
  await dropSchema(schema)
})

/** Every value of every row of every table in the schema, as text (bytea as latin1, so clear bytes show). */
async function everythingStored(): Promise<string> {
  return withAdminClient(async (client) => {
    const tables = await client.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
      [schema],
    )
    let dump = ''
    for (const { table_name } of tables.rows) {
      const rows = await client.query<Record<string, unknown>>(`SELECT * FROM "${schema}"."${table_name}"`)
      for (const row of rows.rows) {
        for (const value of Object.values(row)) {
          dump += (Buffer.isBuffer(value) ? value.toString('latin1') : JSON.stringify(value)) + '\n'
        }
      }
    }
    return dump
  })
}

describe('nothing secret is stored in clear', () => {
  test('upstream tokens and the upstream PKCE verifier are stored only as AES-256-GCM ciphertext', async () => {
    const session = sessionRecord({
      upstream: {
        accessToken: 'gho_CLEAR_ACCESS',
        refreshToken: 'ghr_CLEAR_REFRESH',
        idToken: 'eyJ_CLEAR_ID',
      },
    })
    const transaction = transactionRecord({ upstreamCodeVerifier: 'CLEAR_VERIFIER_' + randomToken() })
    await store.saveSession(session)
    await store.saveTransaction(transaction)
    await store.updateSession(session.sessionId, {
      upstream: { accessToken: 'gho_CLEAR_ROTATED', refreshToken: 'ghr_CLEAR_ROTATED' },
    })

    const dump = await everythingStored()
    for (const secret of ['CLEAR_ACCESS', 'CLEAR_REFRESH', 'CLEAR_ID', 'CLEAR_VERIFIER', 'CLEAR_ROTATED']) {
      assert.doesNotMatch(dump, new RegExp(secret))
    }
    const sealed = await withAdminClient((client) =>
      client.query<{ upstream_sealed: Buffer }>(
        `SELECT upstream_sealed FROM "${schema}".sessions WHERE session_id = $1`,
        [session.sessionId],
      ),
    )
    const bytes = sealed.rows[0]?.upstream_sealed
    assert.ok(bytes && bytes[0] === 1 && bytes.length > 29, 'version 1, IV and tag, then the ciphertext')
    assert.equal((await store.getSession(session.sessionId))?.upstream.accessToken, 'gho_CLEAR_ROTATED')
    assert.equal(
      (await store.consumeTransaction(transaction.id, transaction.createdAt))?.upstreamCodeVerifier,
      transaction.upstreamCodeVerifier,
    )
  })

  test('a sealed value moved into another row does not open there', async () => {
    const victim = sessionRecord()
    const attacker = sessionRecord()
    await store.saveSession(victim)
    await store.saveSession(attacker)
    await withAdminClient((client) =>
      client.query(
        `UPDATE "${schema}".sessions SET upstream_sealed =
           (SELECT upstream_sealed FROM "${schema}".sessions WHERE session_id = $1) WHERE session_id = $2`,
        [victim.sessionId, attacker.sessionId],
      ),
    )
    await assert.rejects(store.getSession(attacker.sessionId), /does not authenticate/)
  })

  test('the same key on another database seals with another derived key (a random salt per database)', async () => {
    const otherSchema = randomSchema()
    const other = await openTestStore(otherSchema)
    try {
      const session = sessionRecord()
      await store.saveSession(session)
      await withAdminClient((client) =>
        client.query(
          `INSERT INTO "${otherSchema}".sessions SELECT * FROM "${schema}".sessions WHERE session_id = $1`,
          [session.sessionId],
        ),
      )
      await assert.rejects(other.getSession(session.sessionId), /does not authenticate/)
    } finally {
      await other.close()
      await dropSchema(otherSchema)
    }
  })

  test('a raw token, code or client secret is refused where a SHA-256 digest belongs, and nothing is stored', async () => {
    const raw = randomToken('mxcp_at_')
    await assert.rejects(store.saveTokens([tokenRecord({ tokenHash: raw })]), (error: unknown) => {
      assert.ok(error instanceof Error)
      assert.match(error.message, /tokenHash must be a SHA-256 hex digest/)
      assert.ok(!error.message.includes(raw), 'the message never quotes the value')
      return true
    })
    await assert.rejects(store.saveCode(codeRecord({ codeHash: raw })), /codeHash must be a SHA-256/)
    await assert.rejects(store.saveClient(clientRecord({ clientSecretHash: 'secret' })), /clientSecretHash/)
    assert.doesNotMatch(await everythingStored(), new RegExp(raw))
    assert.equal(await store.getToken(raw), undefined)
  })

  test('hashes are stored as given: a token is found by its SHA-256 only', async () => {
    const token = randomToken('mxcp_at_')
    const record = tokenRecord({ tokenHash: sha256(token) })
    await store.saveTokens([record])
    assert.deepEqual(await store.getToken(sha256(token)), record)
    assert.doesNotMatch(await everythingStored(), new RegExp(token))
  })
})

describe('the encryption key', () => {
  test('a replica with another encryption_key refuses to start on the same database', async () => {
    await assert.rejects(
      openTestStore(schema, { encryptionKey: 'another-key-of-enough-length-0123456789-abcdef' }),
      (error: unknown) => {
        assert.ok(error instanceof Error)
        assert.match(error.message, /encryption_key is not the key this database was set up with/)
        assert.ok(!error.message.includes(TEST_KEY))
        return true
      },
    )
  })

  test('a replica with the same key starts and reads what the first one sealed', async () => {
    const session = sessionRecord()
    await store.saveSession(session)
    const second = await openTestStore(schema)
    try {
      assert.deepEqual(await second.getSession(session.sessionId), session)
    } finally {
      await second.close()
    }
  })

  test('without encryption_key the store refuses to start, says why, and touches no database', async () => {
    const fresh = randomSchema()
    for (const encryptionKey of [undefined, '', '   ']) {
      await assert.rejects(
        openTestStore(fresh, { encryptionKey }),
        /encryption_key is required for type postgres.*same on every replica/s,
      )
    }
    assert.equal(await schemaExists(fresh), false)
  })

  test('a short encryption_key is refused', async () => {
    await assert.rejects(
      openTestStore(randomSchema(), { encryptionKey: 'changeme' }),
      /too short \(at least 32/,
    )
  })

  test('a missing url, a bad pool size or a schema name needing quotes is refused', async () => {
    await assert.rejects(openTestStore(randomSchema(), { url: '' }), /auth\.persistence\.url is required/)
    await assert.rejects(openTestStore(randomSchema(), { poolSize: 0 }), /pool_size must be an integer/)
    await assert.rejects(openTestStore('Robert"); DROP', {}), /schema name must be a lower-case identifier/)
  })
})
