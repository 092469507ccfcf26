import { chmodSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, resolve } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import type { SealedBox } from '@mxcp/auth-core/store-kit'
import { type OAuthStore, systemClock } from '@mxcp/auth-core/store-kit'
import { applyMigrations } from './database/migrate.js'
import { openDatabase, type StoreDatabase } from './database/open-database.js'
import { isBusy, SqliteStoreOpenError } from './database/sqlite-errors.js'
import { hasKeyCheck, unlockSealedBox } from './encryption/key-check.js'
import { defaultKeyFilePath, readKeyFile, readOrCreateKeyFile } from './encryption/key-file.js'
import { moveLegacyKey } from './encryption/move-legacy-key.js'
import {
  createPrivateFile,
  ensurePrivateDirectory,
  PRIVATE_DIRECTORY_MODE,
  tightenFile,
} from './files/private-files.js'
import {
  DEFAULT_BUSY_TIMEOUT_MS,
  DEFAULT_SWEEP_INTERVAL_MS,
  type SqliteStoreOptions,
  validateOptions,
} from './options.js'
import { SqliteStore } from './sqlite-store.js'

/**
 * Opens (creating if needed) the SQLite OAuth store at `options.path`: the folder 0700 when we
 * create it, the database, `-wal`, `-shm` and key file 0600 (looser existing files are
 * tightened), the integrity checked, drizzle migrations applied, and the encryption key
 * verified against the one the database was created with.
 *
 * Throws `SqliteStoreOpenError`, naming the file, when it is corrupt, unreadable, locked, from a
 * newer release, or the key does not match; the file is then left untouched and the caller
 * should exit non-zero.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<OAuthStore> {
  validateOptions(options)
  const path = resolve(expandHome(options.path))
  try {
    ensurePrivateDirectory(path)
    createPrivateFile(path)
  } catch (error) {
    throw new SqliteStoreOpenError(path, `Cannot create the OAuth database ${path}: ${String(error)}`, {
      cause: error,
    })
  }
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS
  // SQLite skips the busy handler where waiting could deadlock (two connections switching a new
  // file to WAL, a read lock that wants to become a write lock): it answers SQLITE_BUSY at once.
  // Start-up holds no lock between attempts, so starting over shortly is safe and settles it.
  const deadline = Date.now() + busyTimeoutMs
  for (;;) {
    try {
      return openOnce(path, busyTimeoutMs, options)
    } catch (error) {
      if (!isBusy(error) || Date.now() >= deadline) throw error
      await delay(5 + Math.random() * 20)
    }
  }
}

function openOnce(path: string, busyTimeoutMs: number, options: SqliteStoreOptions): OAuthStore {
  const db = openDatabase(path, busyTimeoutMs)
  try {
    applyMigrations(db, path)
    const box = unlock(db, path, options)
    tightenFile(`${path}-wal`)
    tightenFile(`${path}-shm`)
    options.logger?.info?.({ path }, 'OAuth state is persisted in SQLite')
    return new SqliteStore({
      db,
      box,
      path,
      clock: options.clock ?? systemClock,
      logger: options.logger,
      sweepIntervalMs: options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS,
    })
  } catch (error) {
    db.$client.close()
    if (error instanceof SqliteStoreOpenError) throw error
    throw new SqliteStoreOpenError(path, `Cannot open the OAuth database ${path}: ${String(error)}`, {
      cause: error,
    })
  }
}

/** The configured key, else the key file in its own private folder (generated on first use). */
function unlock(db: StoreDatabase, path: string, options: SqliteStoreOptions): SealedBox {
  const { encryptionKey: configured, logger } = options
  if (configured !== undefined) return unlockSealedBox(db, configured, path)
  const keyFile = resolve(expandHome(options.keyFile ?? defaultKeyFilePath(path)))
  ensurePrivateDirectory(keyFile)
  // The default folder is ours alone: keep it 0700 even if it was created looser.
  if (options.keyFile === undefined) chmodSync(dirname(keyFile), PRIVATE_DIRECTORY_MODE)
  moveLegacyKey(path, keyFile, logger)
  // A database already bound to a key whose file is gone must not get a fresh key: its sealed
  // rows could never be opened again. Say what is missing instead.
  if (hasKeyCheck(db) && readKeyFile(keyFile) === undefined) {
    throw new SqliteStoreOpenError(
      path,
      `The encryption key of the OAuth database ${path} is not available: the key file ${keyFile} is missing ` +
        'and auth.persistence.encryption_key is not set. Restore the key file or set the original key.',
    )
  }
  const { key } = readOrCreateKeyFile(keyFile)
  const box = unlockSealedBox(db, key, path)
  logger?.warn(
    { path, keyFile },
    'auth.persistence.encryption_key is not set: upstream tokens are encrypted with a key stored in a file on ' +
      'this machine. Set encryption_key from a managed secret (e.g. "${MXCP_OAUTH_ENCRYPTION_KEY}") instead.',
  )
  return box
}

/** `~/x` → the home folder; the server expands it already, this covers direct callers. */
function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path
}
