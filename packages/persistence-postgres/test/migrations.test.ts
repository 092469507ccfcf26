import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, describe, test } from 'node:test'
import { tokenRecord } from '@mxcp/auth-core/testing'
import { MIGRATIONS_FOLDER } from '../src/migrate.js'
import { dropSchema, openTestStore, randomSchema, withAdminClient } from './support/database.js'

const schemas: string[] = []
after(async () => {
  for (const schema of schemas) await dropSchema(schema)
})
function newSchema(): string {
  const schema = randomSchema()
  schemas.push(schema)
  return schema
}

const journal: unknown = JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, 'utf8'))
const committedMigrations =
  typeof journal === 'object' && journal !== null && 'entries' in journal && Array.isArray(journal.entries)
    ? journal.entries.length
    : -1

async function tablesIn(schema: string): Promise<string[]> {
  const result = await withAdminClient((client) =>
    client.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [schema],
    ),
  )
  return result.rows.map((row) => row.table_name)
}

describe('migrations at start-up', () => {
  test('the committed migrations are found beside the module', () => {
    assert.ok(committedMigrations >= 1)
  })

  test('five replicas starting at once on an empty schema: all start, and each migration ran once', async () => {
    const schema = newSchema()
    const stores = await Promise.all(Array.from({ length: 5 }, () => openTestStore(schema)))
    try {
      const applied = await withAdminClient((client) =>
        client.query(`SELECT hash FROM "${schema}".__drizzle_migrations`),
      )
      assert.equal(applied.rowCount, committedMigrations)
      // Every replica works on the same tables.
      const token = tokenRecord()
      await stores[0]!.saveTokens([token])
      for (const store of stores) assert.deepEqual(await store.getToken(token.tokenHash), token)
    } finally {
      await Promise.all(stores.map((store) => store.close()))
    }
  })

  test('the tables are created in the configured schema and nowhere else', async () => {
    const schema = newSchema()
    const store = await openTestStore(schema)
    await store.close()
    assert.deepEqual(await tablesIn(schema), [
      '__drizzle_migrations',
      'clients',
      'codes',
      'meta',
      'rate_windows',
      'revoked_families',
      'sessions',
      'single_use',
      'tokens',
      'transactions',
    ])
    // Neither drizzle's default bookkeeping schema nor `public` received anything of ours.
    const elsewhere = await withAdminClient((client) =>
      client.query(
        `SELECT table_schema, table_name FROM information_schema.tables
          WHERE (table_schema = 'public' AND table_name = ANY($1))
             OR (table_schema = 'drizzle' AND table_name = '__drizzle_migrations')`,
        [
          [
            'clients',
            'codes',
            'meta',
            'revoked_families',
            'sessions',
            'single_use',
            'rate_windows',
            'tokens',
            'transactions',
            '__drizzle_migrations',
          ],
        ],
      ),
    )
    assert.equal(elsewhere.rowCount, 0)
  })

  test('restarting on a migrated schema applies nothing again and keeps the data', async () => {
    const schema = newSchema()
    const first = await openTestStore(schema)
    const token = tokenRecord()
    await first.saveTokens([token])
    await first.close()
    const second = await openTestStore(schema)
    try {
      assert.deepEqual(await second.getToken(token.tokenHash), token)
      const applied = await withAdminClient((client) =>
        client.query(`SELECT hash FROM "${schema}".__drizzle_migrations`),
      )
      assert.equal(applied.rowCount, committedMigrations)
    } finally {
      await second.close()
    }
  })

  test('a schema whose single-use tables the store created before migration 0002 is migrated and keeps its claims', async () => {
    const schema = newSchema()
    const first = await openTestStore(schema)
    const now = Date.now()
    assert.equal(await first.singleUse.claimOnce('consent', 'form-1', now + 60_000, now), true)
    await first.close()
    // As an earlier release left it: the tables there (created at start-up), migration 0002 not recorded.
    await withAdminClient((client) =>
      client.query(
        `DELETE FROM "${schema}".__drizzle_migrations
          WHERE created_at = (SELECT max(created_at) FROM "${schema}".__drizzle_migrations)`,
      ),
    )
    const second = await openTestStore(schema)
    try {
      assert.equal(
        await second.singleUse.claimOnce('consent', 'form-1', now + 60_000, now),
        false,
        'the claim made before the migration still holds',
      )
      const applied = await withAdminClient((client) =>
        client.query(`SELECT hash FROM "${schema}".__drizzle_migrations`),
      )
      assert.equal(applied.rowCount, committedMigrations)
    } finally {
      await second.close()
    }
  })
})
