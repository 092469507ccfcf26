import Database from 'better-sqlite3'
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3'
import { isCorruption, SqliteStoreOpenError, sqliteCode } from './sqlite-errors.js'
import { cacheStatements } from './statement-cache.js'

/**
 * How much of the file SQLite reads through a memory map rather than `read()` into its page cache:
 * a page of a large store (a million tokens is some 400 MB) is then reached without a system call
 * or a copy, so a lookup costs about the same at a million tokens as at a thousand. Only address
 * space is reserved; the pages are the operating system's file cache, shared with other processes
 * on the file (those read count in the process's `VmRSS` as `RssFile`, not as its own memory).
 * Writes still go through the WAL as before.
 */
export const MMAP_BYTES = 1024 * 1024 * 1024

/** The drizzle handle over one better-sqlite3 connection. */
export type StoreDatabase = BetterSQLite3Database & { $client: Database.Database }

/**
 * Opens the SQLite file and checks it before anything is written: a file that is not a
 * database, or whose pages are damaged (`PRAGMA quick_check`), stops here with a message naming
 * it, and is never replaced. Then WAL (readers never wait for the writer; the mode is stored in
 * the file), `synchronous=FULL` (a committed token survives a power cut, not just a crash; see
 * `lightCommits` for the steps that need not wait for the disk), the busy timeout (how long a
 * write waits for another process's lock), reads through a memory map (`MMAP_BYTES`) and
 * statements prepared once (`cacheStatements`).
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
    client.pragma(`mmap_size = ${MMAP_BYTES}`)
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
