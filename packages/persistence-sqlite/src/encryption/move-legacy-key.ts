import { copyFileSync, existsSync, renameSync, unlinkSync } from 'node:fs'
import { isErrnoException } from '../files/private-files.js'
import type { SqliteStoreLogger } from '../options.js'
import { legacyKeyFilePath, readKeyFile } from './key-file.js'

/**
 * Moves a generated key that an earlier release left beside the database into its own place,
 * once, and logs it. When both exist and hold the same key, the old copy is removed; when they
 * differ, nothing is touched and start-up stops (a key must never be guessed). The caller has
 * created the new folder (0700).
 */
export function moveLegacyKey(databasePath: string, keyFile: string, logger?: SqliteStoreLogger): void {
  const legacy = legacyKeyFilePath(databasePath)
  if (legacy === keyFile || !existsSync(legacy)) return
  const old = readKeyFile(legacy)
  if (existsSync(keyFile)) {
    if (readKeyFile(keyFile) !== old) {
      throw new Error(
        `Two different OAuth encryption key files exist for ${databasePath}: ${legacy} and ${keyFile}; keep the one the database was created with and remove the other`,
      )
    }
    unlinkSync(legacy)
  } else {
    try {
      renameSync(legacy, keyFile)
    } catch (error) {
      // Another file system: copy (keeping 0600 through tightenFile on read), then remove.
      if (!isErrnoException(error) || error.code !== 'EXDEV') throw error
      copyFileSync(legacy, keyFile)
      unlinkSync(legacy)
    }
  }
  logger?.warn(
    { from: legacy, to: keyFile },
    'moved the OAuth encryption key file out of the database folder into its own private folder',
  )
}
