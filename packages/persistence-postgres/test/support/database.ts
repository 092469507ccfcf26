import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { openPostgresStore, type PostgresStoreOptions } from '../../src/index.js'
import type { PostgresStore } from '../../src/postgres-store.js'

/** The PostgreSQL the tests use: local, trust auth (CI starts it). Each test file makes its own schema. */
export const DATABASE_URL = process.env['MXCP_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'

/** A key of the accepted length; the same for every store of a test unless a test says otherwise. */
export const TEST_KEY = 'test-encryption-key-0123456789abcdef-0123456789'

/** A fresh schema name, so test files and parallel runs never see each other's rows. */
export function randomSchema(): string {
  return `mxcp_test_${randomBytes(6).toString('hex')}`
}

/** Opens a store on `schema` with the test key; `overrides` win. */
export async function openTestStore(
  schema: string,
  overrides: Partial<PostgresStoreOptions> = {},
): Promise<PostgresStore> {
  const store = await openPostgresStore({ url: DATABASE_URL, encryptionKey: TEST_KEY, schema, ...overrides })
  // openPostgresStore is typed as the interface; the tests also reach the class's own members.
  return store as PostgresStore
}

/** Runs `fn` with a plain connection of our own, outside any store. */
export async function withAdminClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: DATABASE_URL })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  await withAdminClient((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`))
}

/** Whether a schema exists. */
export async function schemaExists(schema: string): Promise<boolean> {
  const result = await withAdminClient((client) =>
    client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]),
  )
  return result.rowCount === 1
}

/** Creates an empty database for a test that runs whole servers (they use the default schema). */
export async function createDatabase(name: string): Promise<string> {
  await withAdminClient((client) => client.query(`CREATE DATABASE "${name}"`))
  const url = new URL(DATABASE_URL)
  url.pathname = `/${name}`
  return url.toString()
}

/** Drops a test database, ending any connection still open to it. */
export async function dropDatabase(name: string): Promise<void> {
  await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))
}
