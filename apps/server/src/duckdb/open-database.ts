import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api'
import { createUserPool, findShadowingObjects, type UserPool } from '@mxcp/duckdb-user-fns'
import { accessPolicy } from './access-policy.js'
import { INSTANCE_SETTINGS, lockConfiguration, restrictAccess } from './lock-down.js'
import { type RefusedFunctions, readRefusedFunctions } from './refused-functions.js'

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** The DuckDB file, or `:memory:`. */
  readonly path: string
  readonly readonly: boolean
  /** Relative file paths in SQL (`read_csv('data/x.csv')`) resolve against this folder. */
  readonly projectDir: string
  /** The data folder (`paths.data`), relative to the project folder or absolute: SQL may read and write it. */
  readonly dataDir?: string | undefined
  /** `duckdb.allowed_paths`: further files, folders (ending in '/') and URL prefixes SQL may reach. */
  readonly allowedPaths?: readonly string[] | undefined
  /** Files SQL must never reach (the OAuth database and key file): start-up fails if allowed. */
  readonly secretFiles?: readonly string[] | undefined
  /** Extensions to load before the lock-down (`extensions` of mxcp-site.yml); never installed here. */
  readonly extensions?: readonly string[] | undefined
  /** SQL run once at start-up (not in read-only mode); write it so that it can run again. */
  readonly seedFile?: string | undefined
  /** Connections, hence requests running SQL at once (default {@link DEFAULT_POOL_SIZE}). */
  readonly poolSize?: number | undefined
  /** Time limit of one query, ms (default 30 000). */
  readonly queryTimeoutMs?: number | undefined
  /** Connections one user may hold at once (default: half the pool). */
  readonly maxConnectionsPerUser?: number | undefined
  /** Told why a pooled connection was replaced (never a value). */
  readonly onDiscard?: ((problems: readonly string[]) => void) | undefined
}

/**
 * Connections of the pool by default. One user holds at most half of them, and a call holds its
 * connection for a few native round trips on a busy event loop, several times the query itself:
 * with 4 (2 per user), one client's concurrent calls queued for a connection most of the time
 * (~80 % of a call's wait, 10 calls in flight); 8 answered 17–43 % more calls per second in the
 * same time, at the same or less CPU per call (A B B A pairs, `mxcp serve`, GitHub auth).
 */
export const DEFAULT_POOL_SIZE = 8

/** The project's database: one DuckDB instance and a pool of connections bound per caller. */
export interface Database {
  readonly pool: UserPool
  /** Functions the built-in SQL tool refuses in a caller's query. */
  readonly refusedFunctions: RefusedFunctions
  /** Lets running queries finish, then closes the connections and the database file. */
  close(): Promise<void>
}

/** Thrown at start-up when an object in the database would shadow a user function. */
export class ShadowedUserFunctionError extends Error {
  override readonly name = 'ShadowedUserFunctionError'
}

async function refuseShadowing(connection: DuckDBConnection, path: string): Promise<void> {
  const found = await findShadowingObjects(connection)
  if (found.length === 0) return
  const named = found.map(({ qualifiedName, type }) => `${qualifiedName} (${type})`).join(', ')
  throw new ShadowedUserFunctionError(
    `The DuckDB database ${path} holds ${named}, named like a user function: it would answer instead of ` +
      'get_username() and friends. Drop it (DROP MACRO / DROP FUNCTION) before serving.',
  )
}

/** Thrown at start-up when an extension the project lists cannot be loaded. */
export class ExtensionLoadError extends Error {
  override readonly name = 'ExtensionLoadError'
}

async function loadExtensions(connection: DuckDBConnection, names: readonly string[]): Promise<void> {
  for (const name of names) {
    if (!/^[a-z][a-z0-9_]*$/.test(name))
      throw new ExtensionLoadError(`extensions: "${name}" is not an extension name`)
    try {
      await connection.run(`LOAD ${name}`)
    } catch (error) {
      throw new ExtensionLoadError(
        `The DuckDB extension ${name} (mxcp-site.yml extensions) cannot be loaded: install it first (mxcp never downloads extensions). ${error instanceof Error ? error.message.split('\n')[0] : ''}`,
      )
    }
  }
}

/**
 * Opens the profile's DuckDB database: loads the project's extensions and runs its seed SQL (the
 * operator's, trusted), then locks it down: external access limited to the data folder, the
 * DuckDB file and `allowedPaths`; no extension loaded on demand; DuckDB's log off. Refuses to
 * start when anything named like a user function exists, creates the pool (which installs the
 * user functions) and locks the configuration, so no later statement can change a setting.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const inMemory = options.path === ':memory:'
  if (!inMemory && !options.readonly) mkdirSync(dirname(options.path), { recursive: true })
  if (!inMemory && options.readonly && !existsSync(options.path)) {
    throw new Error(`The DuckDB file ${options.path} does not exist, and read-only mode cannot create it`)
  }
  const policy = accessPolicy({
    projectDir: options.projectDir,
    dataDir: options.dataDir ?? 'data',
    duckdbPath: options.path,
    allowed: options.allowedPaths ?? [],
    secrets: options.secretFiles ?? [],
  })
  const instance = await DuckDBInstance.create(options.path, {
    access_mode: options.readonly ? 'READ_ONLY' : 'READ_WRITE',
    file_search_path: options.projectDir,
    ...INSTANCE_SETTINGS,
  })
  try {
    const setup = await instance.connect()
    let refusedFunctions: RefusedFunctions
    let pool: UserPool
    try {
      await loadExtensions(setup, options.extensions ?? [])
      // The seed is the operator's own SQL, run before the lock-down: its relative paths resolve
      // as DuckDB always does (the working folder, then the project folder).
      if (options.seedFile && !options.readonly && existsSync(options.seedFile)) {
        await setup.run(readFileSync(options.seedFile, 'utf8'))
      }
      await restrictAccess(setup, policy)
      await refuseShadowing(setup, options.path)
      refusedFunctions = await readRefusedFunctions(setup)
      pool = await createUserPool(instance, {
        size: options.poolSize ?? DEFAULT_POOL_SIZE,
        ...(options.queryTimeoutMs !== undefined && { queryTimeoutMs: options.queryTimeoutMs }),
        ...(options.maxConnectionsPerUser !== undefined && {
          maxConnectionsPerUser: options.maxConnectionsPerUser,
        }),
        ...(options.onDiscard !== undefined && { onDiscard: options.onDiscard }),
      })
      await lockConfiguration(setup)
    } finally {
      setup.disconnectSync()
    }
    let closing: Promise<void> | undefined
    return {
      pool,
      refusedFunctions,
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
