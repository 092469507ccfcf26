import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs'
import { dirname } from 'node:path'

/** Owner read/write only: the database, its `-wal` and `-shm`, and the key file. */
export const PRIVATE_FILE_MODE = 0o600
/** Owner only: a folder we create for the database. */
export const PRIVATE_DIRECTORY_MODE = 0o700

/**
 * Creates the folder of `file` and any missing parent, each 0700. A folder that already exists
 * is left as it is: it may be shared (`/var/lib`) and is not ours to change.
 */
export function ensurePrivateDirectory(file: string): void {
  const missing: string[] = []
  for (let dir = dirname(file); !existsSync(dir); dir = dirname(dir)) {
    missing.push(dir)
    if (dirname(dir) === dir) break
  }
  if (missing.length === 0) return
  mkdirSync(dirname(file), { recursive: true, mode: PRIVATE_DIRECTORY_MODE })
  // `mode` passes through the umask; set it explicitly so a permissive umask cannot widen it.
  for (const dir of missing) chmodSync(dir, PRIVATE_DIRECTORY_MODE)
}

/**
 * Creates `file` empty with mode 0600 unless it exists. SQLite gives the `-wal` and `-shm` files
 * the mode of the database file, so creating it 0600 first keeps them private from the start.
 */
export function createPrivateFile(file: string): void {
  try {
    closeSync(openSync(file, 'wx', PRIVATE_FILE_MODE))
  } catch (error) {
    if (!isErrnoException(error) || error.code !== 'EEXIST') throw error
  }
  tightenFile(file)
}

/** Removes group and other permissions from an existing regular file; ignores a missing one. */
export function tightenFile(file: string): void {
  let mode: number
  try {
    const stats = statSync(file)
    if (!stats.isFile()) return
    mode = stats.mode & 0o777
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return
    throw error
  }
  if ((mode & 0o077) !== 0) chmodSync(file, PRIVATE_FILE_MODE)
}

/** A Node.js system error (`ENOENT`, `EEXIST`, …). */
export function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error && typeof error.code === 'string'
}
