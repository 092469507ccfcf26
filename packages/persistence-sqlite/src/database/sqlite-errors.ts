import { StoreUnavailableError } from '@mxcp/auth-core/store-kit'
import Database from 'better-sqlite3'

/** SQLite result codes (https://sqlite.org/rescode.html) that mean "the database cannot serve now". */
const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|CORRUPT|NOTADB|READONLY)/

/** The extended SQLite result code of `error` (`SQLITE_BUSY_SNAPSHOT`, …), if it is an SQLite error. */
export function sqliteCode(error: unknown): string | undefined {
  return error instanceof Database.SqliteError ? error.code : undefined
}

/** A corrupt file or something that is not an SQLite database at all. */
export function isCorruption(error: unknown): boolean {
  return /^SQLITE_(CORRUPT|NOTADB)/.test(sqliteCode(error) ?? '')
}

/** A lock held by another connection (or its cause was): worth trying again shortly. */
export function isBusy(error: unknown): boolean {
  const code = sqliteCode(error) ?? (error instanceof Error ? sqliteCode(error.cause) : undefined)
  return code !== undefined && /^SQLITE_(BUSY|LOCKED)/.test(code)
}

/**
 * Turns an error of a store operation into what auth-core expects: a locked database (busy past
 * the timeout), an I/O failure, a full disk or a corrupt page becomes `StoreUnavailableError`,
 * which the plugin answers with 503 and no issued credential. The message names the file and
 * the SQLite code only; SQLite messages carry no bound values, so no secret can leak through.
 */
export function toStoreError(error: unknown, path: string): unknown {
  const code = sqliteCode(error)
  if (code === undefined || !UNAVAILABLE.test(code)) return error
  const reason =
    code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') ? 'is locked' : 'cannot be used'
  return new StoreUnavailableError(`The OAuth database ${path} ${reason} (${code})`, { cause: error })
}

/**
 * A start-up failure: the file is corrupt, unreadable, from a newer version, or the encryption
 * key does not match. The server should print the message and exit non-zero; the file is left
 * exactly as it was.
 */
export class SqliteStoreOpenError extends Error {
  /** The database file concerned. */
  readonly path: string

  constructor(path: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'SqliteStoreOpenError'
    this.path = path
  }
}
