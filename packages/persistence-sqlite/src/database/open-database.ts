import Database from 'better-sqlite3'
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3'
import { isCorruption, SqliteStoreOpenError, sqliteCode } from './sqlite-errors.js'
import { cacheStatements } from './statement-cache.js'

/** The drizzle handle over one better-sqlite3 connection. */
export type StoreDatabase = BetterSQLite3Database & { $client: Database.Database }

/**
 * Opens the SQLite file and checks it before anything is written: a file that is not a
 * database, or whose pages are damaged (`PRAGMA quick_check`), stops here with a message naming
 * it, and is never replaced. Then WAL (readers never wait for the writer; the mode is stored in
 * the file), `synchronous=FULL` (a committed token survives a power cut, not just a crash) and
 * the busy timeout (how long a write waits for another process's lock).
 */
export function openDatabase(path: string, busyTimeoutMs: number): StoreDatabase {
  let client: Database.Database
  try {
    client = new Database(path, { timeout: busyTimeoutMs })
  } catch (error) {
    throw new SqliteStoreOpenError(path, `Cannot open the OAuth database ${path}: ${describe(error)}`, {
      cause: error,
    })
  }
  try {
    const check = client.pragma('quick_check', { simple: true })
    if (check !== 'ok') {
      throw new SqliteStoreOpenError(path, corruptMessage(path, `quick_check reported "${String(check)}"`))
    }
    const mode = client.pragma('journal_mode = WAL', { simple: true })
    if (mode !== 'wal') {
      throw new SqliteStoreOpenError(
        path,
        `The OAuth database ${path} cannot use WAL mode (journal_mode is ${String(mode)})`,
      )
    }
    client.pragma('synchronous = FULL')
  } catch (error) {
    client.close()
    if (error instanceof SqliteStoreOpenError) throw error
    if (isCorruption(error))
      throw new SqliteStoreOpenError(path, corruptMessage(path, describe(error)), { cause: error })
    throw new SqliteStoreOpenError(path, `Cannot open the OAuth database ${path}: ${describe(error)}`, {
      cause: error,
    })
  }
  cacheStatements(client)
  return drizzle({ client })
}

function corruptMessage(path: string, reason: string): string {
  return (
    `The OAuth database ${path} is corrupt or not an SQLite database (${reason}). ` +
    'It was left untouched: restore it from a backup, or move it away to start with empty OAuth state.'
  )
}

function describe(error: unknown): string {
  const code = sqliteCode(error)
  const message = error instanceof Error ? error.message : String(error)
  return code === undefined ? message : `${message} (${code})`
}
