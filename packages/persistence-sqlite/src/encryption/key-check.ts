import { bindKey, type SealedBox, unlockKey } from '@mxcp/auth-core/store-kit'
import { eq } from 'drizzle-orm'
import type { StoreDatabase } from '../database/open-database.js'
import { meta } from '../database/schema.js'
import { SqliteStoreOpenError } from '../database/sqlite-errors.js'

const SALT_KEY = 'kdf_salt'
const CHECK_KEY = 'key_check'
/** HKDF purpose: keys derived for this store serve nothing else. */
const PURPOSE = 'persistence-sqlite'

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
        const binding = bindKey(secret, PURPOSE)
        tx.insert(meta)
          .values([
            { key: SALT_KEY, value: binding.salt },
            { key: CHECK_KEY, value: binding.check },
          ])
          .onConflictDoNothing()
          .run()
        return binding.box
      }
      if (salt === undefined || check === undefined) {
        throw new SqliteStoreOpenError(
          path,
          `The OAuth database ${path} has an incomplete key record (meta table)`,
        )
      }
      const box = unlockKey(secret, PURPOSE, salt, check)
      if (box) return box
      throw new SqliteStoreOpenError(
        path,
        `The encryption key does not match the one this database was created with (${path}). ` +
          'Set auth.persistence.encryption_key to the original key; the database was left untouched. ' +
          'If that key is lost, start over by deleting the database (`mxcp auth reset`): every user signs in again.',
      )
    },
    { behavior: 'immediate' },
  )
}
