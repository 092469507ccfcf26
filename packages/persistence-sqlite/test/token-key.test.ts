import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import type { TokenRecord } from '@mxcp/auth-core/store-kit'
import { sessionRecord, T0, tokenRecord } from '@mxcp/auth-core/testing'
import Database from 'better-sqlite3'
import { MIGRATIONS_FOLDER } from '../src/database/migrate.js'
import { KEY_SLOTS, tokenKeyBase } from '../src/database/token-key.js'
import { openSqliteStore } from '../src/index.js'
import { restoreLegacyTokensTable } from './helpers/legacy-tokens.js'
import { tempDatabasePath } from './helpers/temp-database.js'

const open = (path = tempDatabasePath()) => openSqliteStore({ path, encryptionKey: 'test-key' })

/** SHA-256-shaped hashes that share their first 11 hex digits, so their key base, and differ after. */
function alikeHashes(count: number): string[] {
  const prefix = randomBytes(6).toString('hex').slice(0, 11)
  return Array.from({ length: count }, () => prefix + randomBytes(27).toString('hex').slice(0, 53))
}

function keysOf(path: string): Map<string, number> {
  const raw = new Database(path, { readonly: true })
  try {
    const rows = raw.prepare('SELECT token_hash, token_key FROM tokens').all() as {
      token_hash: string
      token_key: number
    }[]
    return new Map(rows.map((row) => [row.token_hash, row.token_key]))
  } finally {
    raw.close()
  }
}

test('hashes alike in their key base are all stored under keys of that base and each found as itself', async () => {
  const path = tempDatabasePath()
  const store = await open(path)
  try {
    const [first, second, third, unknown] = alikeHashes(4) as [string, string, string, string]
    assert.equal(tokenKeyBase(first), tokenKeyBase(second))
    const records = [first, second, third].map((tokenHash, i) =>
      tokenRecord({ tokenHash, familyId: `family-${i}`, sessionId: `session-${i}` }),
    )
    for (const record of records) await store.saveTokens([record])
    for (const record of records) assert.deepEqual(await store.getToken(record.tokenHash), record)
    assert.equal(await store.getToken(unknown), undefined, 'a hash of the same base that was never stored')
    const base = tokenKeyBase(first)
    assert.deepEqual(
      [...keysOf(path).values()].sort((a, b) => a - b),
      [base, base + 1, base + 2],
    )

    // Each row is its own: revoking one leaves the others as they were.
    assert.deepEqual(await store.revokeToken(second), records[1])
    assert.equal((await store.getToken(second))?.revoked, true)
    assert.deepEqual(await store.getToken(first), records[0])
    assert.equal(await store.revokeFamily('family-2'), 1)
    assert.equal((await store.getToken(third))?.revoked, true)
    assert.equal((await store.getToken(first))?.revoked, false)
  } finally {
    await store.close()
  }
})

test('a hash is found after the holder of its base key was swept, and a new alike hash takes the freed key', async () => {
  const path = tempDatabasePath()
  const store = await open(path)
  try {
    const [first, second, third] = alikeHashes(3) as [string, string, string]
    const early = tokenRecord({ tokenHash: first, expiresAt: T0 + 1_000 })
    const late = tokenRecord({ tokenHash: second, expiresAt: T0 + 3_600_000 })
    await store.saveTokens([early, late])
    await store.sweepExpired(T0 + 2_000)
    assert.equal(await store.getToken(first), undefined)
    assert.deepEqual(await store.getToken(second), late)
    const newer = tokenRecord({ tokenHash: third })
    await store.saveTokens([newer])
    assert.deepEqual(await store.getToken(third), newer)
    assert.deepEqual(await store.getToken(second), late)
    assert.equal(keysOf(path).get(third), tokenKeyBase(third))
  } finally {
    await store.close()
  }
})

test('a refresh token whose successors share its key base rotates, and each is found as itself', async () => {
  const store = await open()
  try {
    const session = sessionRecord({ expiresAt: T0 + 86_400_000 })
    await store.saveSession(session)
    const [refresh, access, successor] = alikeHashes(3) as [string, string, string]
    const alike = { sessionId: session.sessionId, familyId: 'family-r', expiresAt: T0 + 3_600_000 }
    const token = tokenRecord({ ...alike, tokenHash: refresh, kind: 'refresh' })
    await store.saveTokens([token])
    const next: TokenRecord[] = [
      tokenRecord({ ...alike, tokenHash: access }),
      tokenRecord({ ...alike, tokenHash: successor, kind: 'refresh' }),
    ]
    const result = await store.rotateRefresh(refresh, T0 + 5, 10_000, () => next)
    assert.equal(result.outcome, 'rotated')
    const old = await store.getToken(refresh)
    assert.equal(old?.consumed, true)
    assert.equal(old?.successorHash, successor)
    for (const issued of next) assert.deepEqual(await store.getToken(issued.tokenHash), issued)
  } finally {
    await store.close()
  }
})

test('a hash stored twice is refused, as when the hash was the primary key', async () => {
  const store = await open()
  try {
    const token = tokenRecord()
    await store.saveTokens([token])
    await assert.rejects(store.saveTokens([{ ...token, familyId: 'another' }]))
    assert.deepEqual(await store.getToken(token.tokenHash), token)
  } finally {
    await store.close()
  }
})

test('the lookup probes the table by its integer key, not an index', async () => {
  const path = tempDatabasePath()
  await (await open(path)).close()
  const raw = new Database(path, { readonly: true })
  try {
    const plan = raw
      .prepare(
        'EXPLAIN QUERY PLAN SELECT * FROM tokens NOT INDEXED WHERE token_key BETWEEN ? AND ? AND token_hash = ? LIMIT 1',
      )
      .all(0, KEY_SLOTS - 1, 'x') as { detail: string }[]
    assert.match(
      plan.map((step) => step.detail).join('\n'),
      /USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/,
    )
  } finally {
    raw.close()
  }
})

test('migration 0004 keys the tokens a database already holds, alike hashes included, and keeps every column and query', async () => {
  const path = tempDatabasePath()
  await (await open(path)).close()
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
    entries: { tag: string; when: number }[]
  }
  const since = journal.entries.find((entry) => entry.tag.startsWith('0004_'))?.when
  assert.ok(since !== undefined, 'migration 0004 is in the journal')
  const alike = alikeHashes(3)
  const records = [
    ...alike.map((tokenHash, i) =>
      tokenRecord({ tokenHash, familyId: 'family-a', sessionId: `session-${i}`, clientId: 'client-a' }),
    ),
    tokenRecord({ kind: 'refresh', familyId: 'family-b', rotatedAt: T0 + 5, successorHash: alike[0] }),
    tokenRecord({ familyId: 'family-b', revoked: true, consumed: true, scopes: ['a', 'b'] }),
  ]
  const raw = new Database(path)
  try {
    restoreLegacyTokensTable(raw, since)
    const insert = raw.prepare(
      'INSERT INTO tokens (token_hash, kind, client_id, session_id, family_id, scopes, resource, created_at, ' +
        'expires_at, revoked, consumed, rotated_at, successor_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    )
    for (const r of records)
      insert.run(
        r.tokenHash,
        r.kind,
        r.clientId,
        r.sessionId,
        r.familyId,
        JSON.stringify(r.scopes),
        r.resource,
        r.createdAt,
        r.expiresAt,
        r.revoked ? 1 : 0,
        r.consumed ? 1 : 0,
        r.rotatedAt ?? null,
        r.successorHash ?? null,
      )
  } finally {
    raw.close()
  }

  const store = await open(path)
  try {
    for (const record of records) assert.deepEqual(await store.getToken(record.tokenHash), record)
    const keys = keysOf(path)
    const base = tokenKeyBase(alike[0] ?? '')
    assert.deepEqual(
      alike.map((hash) => keys.get(hash)).sort(),
      [base, base + 1, base + 2].sort(),
      'alike hashes take consecutive keys from their base',
    )
    for (const record of records.slice(3))
      assert.equal(keys.get(record.tokenHash), tokenKeyBase(record.tokenHash))
    // The queries by family, session and hash still reach the migrated rows.
    assert.equal(await store.revokeFamily('family-a'), 3)
    const more = tokenRecord({ tokenHash: alikeHashes(1)[0], sessionId: 'session-9' })
    await store.saveTokens([more])
    await store.deleteSession('session-9')
    assert.equal((await store.getToken(more.tokenHash))?.revoked, true)
  } finally {
    await store.close()
  }
  const check = new Database(path, { readonly: true })
  try {
    const indexes = (
      check.prepare('SELECT name FROM pragma_index_list(?)').all('tokens') as { name: string }[]
    )
      .map((row) => row.name)
      .sort()
    assert.deepEqual(indexes, [
      'tokens_client_id',
      'tokens_expires_at',
      'tokens_family_id',
      'tokens_session_id',
      'tokens_token_hash',
    ])
  } finally {
    check.close()
  }
})
