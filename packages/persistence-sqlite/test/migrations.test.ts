import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import type { OAuthStore } from '@mxcp/auth-core'
import type { HasSingleUseRecords } from '@mxcp/auth-core/store-kit'
import { sessionRecord, tokenRecord } from '@mxcp/auth-core/testing'
import Database from 'better-sqlite3'
import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core'
import { MIGRATIONS_FOLDER } from '../src/database/migrate.js'
import * as schema from '../src/database/schema.js'
import { openSqliteStore } from '../src/index.js'
import { restoreLegacyTokensTable } from './helpers/legacy-tokens.js'
import { tempDatabasePath } from './helpers/temp-database.js'

const TABLES: SQLiteTable[] = [
  schema.meta,
  schema.clients,
  schema.transactions,
  schema.codes,
  schema.tokens,
  schema.sessions,
  schema.revokedFamilies,
  schema.sessionLocks,
  schema.singleUse,
  schema.rateWindows,
]

test('the committed drizzle-kit migrations create exactly the tables, columns and indexes of the schema', async () => {
  const path = tempDatabasePath()
  await (await openSqliteStore({ path, encryptionKey: 'test-key' })).close()
  const raw = new Database(path, { readonly: true })
  try {
    for (const table of TABLES) {
      const config = getTableConfig(table)
      const columns = raw
        .prepare(`SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY name`)
        .all(config.name)
      // A column of a composite primary key has its position in the key (1, 2, …) as `pk`.
      const composite = config.primaryKeys[0]?.columns.map((column) => column.name) ?? []
      const expected = config.columns
        .map((column) => ({
          name: column.name,
          type: column.getSQLType().toUpperCase(),
          notnull: column.notNull ? 1 : 0,
          pk: column.primary ? 1 : composite.indexOf(column.name) + 1,
        }))
        .sort((a, b) => a.name.localeCompare(b.name))
      assert.deepEqual(columns, expected, `columns of ${config.name}`)
      const indexes = raw
        .prepare(`SELECT name FROM pragma_index_list(?) WHERE origin = 'c' ORDER BY name`)
        .all(config.name)
        .map((row) => (row as { name: string }).name)
      assert.deepEqual(
        indexes,
        config.indexes.map((index) => index.config.name).sort(),
        `indexes of ${config.name}`,
      )
    }
  } finally {
    raw.close()
  }
})

test('migrations apply once: restarts keep the data and record no migration twice', async () => {
  const path = tempDatabasePath()
  const token = tokenRecord()
  const session = sessionRecord()
  const first = await openSqliteStore({ path, encryptionKey: 'test-key' })
  await first.saveTokens([token])
  await first.saveSession(session)
  await first.close()
  for (let restart = 0; restart < 3; restart++)
    await (await openSqliteStore({ path, encryptionKey: 'test-key' })).close()

  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
    entries: unknown[]
  }
  const raw = new Database(path, { readonly: true })
  const applied = raw.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }
  raw.close()
  assert.equal(applied.n, journal.entries.length)

  const store = await openSqliteStore({ path, encryptionKey: 'test-key' })
  try {
    assert.deepEqual(await store.getToken(token.tokenHash), token)
    assert.deepEqual(await store.getSession(session.sessionId), session)
  } finally {
    await store.close()
  }
})

/** The store's single-use records (the SQLite store always has them). */
const claimsOf = (store: OAuthStore) => (store as OAuthStore & HasSingleUseRecords).singleUse

test('a database whose single-use tables the store created before migration 0002 is migrated and keeps its claims', async () => {
  const path = tempDatabasePath()
  const store = await openSqliteStore({ path, encryptionKey: 'test-key' })
  assert.equal(await claimsOf(store).claimOnce('consent', 'form-1', Date.now() + 60_000, Date.now()), true)
  await store.close()
  // As an earlier release left it: the tables there (created at start-up), migration 0002 not
  // recorded, and nothing of the migrations after it (0003 adds the index tokens_lookup, 0004
  // keys the tokens by token_key).
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
    entries: { tag: string; when: number }[]
  }
  const since = journal.entries.find((entry) => entry.tag.startsWith('0002_'))?.when
  assert.ok(since !== undefined, 'migration 0002 is in the journal')
  const raw = new Database(path)
  restoreLegacyTokensTable(raw, since)
  raw.exec('DROP INDEX tokens_lookup')
  raw.close()

  const reopened = await openSqliteStore({ path, encryptionKey: 'test-key' })
  try {
    assert.equal(
      await claimsOf(reopened).claimOnce('consent', 'form-1', Date.now() + 60_000, Date.now()),
      false,
      'the claim made before the migration still holds',
    )
  } finally {
    await reopened.close()
  }
})

test('the migrations folder ships with the package and resolves from the module', () => {
  assert.ok(existsSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json')), MIGRATIONS_FOLDER)
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    files: string[]
  }
  assert.ok(manifest.files.includes('drizzle'), 'package.json "files" lists drizzle')
})
