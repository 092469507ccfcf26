import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api'
import type { SqlUser } from '../src/index.js'

/** A database for one test; `close()` also removes its directory when it is a file. */
export interface TestDatabase {
  readonly instance: DuckDBInstance
  readonly path: string
  close(): Promise<void>
}

/** An in-memory database. */
export async function memoryDatabase(): Promise<TestDatabase> {
  const instance = await DuckDBInstance.create(':memory:')
  return { instance, path: ':memory:', close: async () => instance.closeSync() }
}

/** A database in a fresh temporary file. */
export async function fileDatabase(): Promise<TestDatabase> {
  const dir = await mkdtemp(join(tmpdir(), 'duckdb-user-fns-'))
  const path = join(dir, 'test.duckdb')
  const instance = await DuckDBInstance.create(path)
  return {
    instance,
    path,
    close: async () => {
      instance.closeSync()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** The first cell of the first row of a query. */
export async function scalar(conn: DuckDBConnection, sql: string, params?: DuckDBValue[]): Promise<unknown> {
  const reader = await conn.runAndReadAll(sql, params)
  return reader.getRows()[0]?.[0]
}

/** Every row of a query, as arrays of JS values. */
export async function rows(
  conn: DuckDBConnection,
  sql: string,
  params?: DuckDBValue[],
): Promise<unknown[][]> {
  const reader = await conn.runAndReadAll(sql, params)
  return reader.getRowsJS()
}

/** A fully described caller, every field distinct. */
export function user(login: string): Required<SqlUser> {
  return {
    userId: `id-${login}`,
    username: login,
    email: `${login}@example.com`,
    name: `Display ${login}`,
    provider: 'github',
    externalToken: `gho_token_of_${login}_0123456789`,
    attributes: { instance_url: `https://${login}.my.salesforce.com`, hd: 'example.com' },
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** A promise with its resolver, to hold a lease open until a test says so. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => {}
  const promise = new Promise<void>((r) => {
    resolve = r
  })
  return { promise, resolve }
}
