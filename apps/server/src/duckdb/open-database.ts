import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { createUserPool, type UserPool } from '@mxcp/duckdb-user-fns'

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** The DuckDB file, or `:memory:`. */
  readonly path: string
  readonly readonly: boolean
  /** Relative file paths in SQL (`read_csv('data/x.csv')`) resolve against this folder. */
  readonly projectDir: string
  /** SQL run once at start-up (not in read-only mode); write it so that it can run again. */
  readonly seedFile?: string | undefined
  /** Connections, hence requests running SQL at once. */
  readonly poolSize?: number | undefined
}

/** The project's database: one DuckDB instance and a pool of connections bound per caller. */
export interface Database {
  readonly pool: UserPool
  /** Lets running queries finish, then closes the connections and the database file. */
  close(): Promise<void>
}

async function runSeed(instance: DuckDBInstance, seedFile: string): Promise<void> {
  const connection = await instance.connect()
  try {
    await connection.run(readFileSync(seedFile, 'utf8'))
  } finally {
    connection.disconnectSync()
  }
}

/**
 * Opens the profile's DuckDB database, runs the project's seed SQL if there is one, and creates
 * the pool through which every query runs with its caller bound (`@mxcp/duckdb-user-fns`).
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const inMemory = options.path === ':memory:'
  if (!inMemory && !options.readonly) mkdirSync(dirname(options.path), { recursive: true })
  if (!inMemory && options.readonly && !existsSync(options.path)) {
    throw new Error(`The DuckDB file ${options.path} does not exist, and read-only mode cannot create it`)
  }
  const instance = await DuckDBInstance.create(options.path, {
    access_mode: options.readonly ? 'READ_ONLY' : 'READ_WRITE',
    file_search_path: options.projectDir,
  })
  try {
    if (options.seedFile && !options.readonly && existsSync(options.seedFile)) {
      await runSeed(instance, options.seedFile)
    }
    const pool = await createUserPool(instance, { size: options.poolSize ?? 4 })
    let closing: Promise<void> | undefined
    return {
      pool,
      close(): Promise<void> {
        closing ??= pool.close().then(() => instance.closeSync())
        return closing
      },
    }
  } catch (error) {
    instance.closeSync()
    throw error
  }
}
