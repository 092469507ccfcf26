import { randomBytes } from 'node:crypto'
import { eq } from 'drizzle-orm'
import type { StoreDatabase } from '../database/open-database.js'
import { meta } from '../database/schema.js'
import { SqliteStoreOpenError } from '../database/sqlite-errors.js'
import { SealedBox, UnsealError } from './sealed-box.js'

const SALT_KEY = 'kdf_salt'
const CHECK_KEY = 'key_check'
/** A known plaintext sealed at creation: if it opens, the key is the one the database was made with. */
const CHECK_PLAINTEXT = 'mxcp-auth key check'
const CHECK_ASSOCIATED_DATA = 'meta:key_check'

/** True once a key has been bound to this database (its first successful start-up). */
export function hasKeyCheck(db: StoreDatabase): boolean {
  return db.select({ key: meta.key }).from(meta).where(eq(meta.key, CHECK_KEY)).get() !== undefined
}

/**
 * Binds `secret` to the database on first use (a random HKDF salt and a key check value, written
 * in one IMMEDIATE transaction so two processes starting together agree), or verifies it later.
 * A wrong key fails here, at start-up, instead of yielding garbage upstream tokens at run time.
 */
export function unlockSealedBox(db: StoreDatabase, secret: string, path: string): SealedBox {
  return db.transaction(
    (tx) => {
      const salt = tx.select().from(meta).where(eq(meta.key, SALT_KEY)).get()?.value
      const check = tx.select().from(meta).where(eq(meta.key, CHECK_KEY)).get()?.value
      if (salt === undefined && check === undefined) {
        const freshSalt = randomBytes(16)
        const box = SealedBox.derive(secret, freshSalt)
        tx.insert(meta)
          .values([
            { key: SALT_KEY, value: freshSalt },
            { key: CHECK_KEY, value: box.seal(CHECK_PLAINTEXT, CHECK_ASSOCIATED_DATA) },
          ])
          .onConflictDoNothing()
          .run()
        return box
      }
      if (salt === undefined || check === undefined) {
        throw new SqliteStoreOpenError(
          path,
          `The OAuth database ${path} has an incomplete key record (meta table)`,
        )
      }
      const box = SealedBox.derive(secret, salt)
      try {
        if (box.open(check, CHECK_ASSOCIATED_DATA) === CHECK_PLAINTEXT) return box
      } catch (error) {
        if (!(error instanceof UnsealError)) throw error
      }
      throw new SqliteStoreOpenError(
        path,
        `The encryption key does not match the one this database was created with (${path}). ` +
          'Set auth.persistence.encryption_key to the original key; the database was left untouched.',
      )
    },
    { behavior: 'immediate' },
  )
}
