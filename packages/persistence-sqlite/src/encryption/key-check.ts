import type { SealedBox } from '@mxcp/auth-core/store-kit'
import { KEY_CHECK, keyRecordStep } from '@mxcp/auth-core/store-kit'
import { eq } from 'drizzle-orm'
import type { StoreDatabase } from '../database/open-database.js'
import { meta } from '../database/schema.js'
import { SqliteStoreOpenError } from '../database/sqlite-errors.js'

/** HKDF purpose: keys derived for this store serve nothing else. */
const PURPOSE = 'persistence-sqlite'

/** True once a key has been bound to this database (its first successful start-up). */
export function hasKeyCheck(db: StoreDatabase): boolean {
  return db.select({ key: meta.key }).from(meta).where(eq(meta.key, KEY_CHECK)).get() !== undefined
}

/**
 * Binds `secret` to the database on first use, or verifies it later (`keyRecordStep`), in one
 * IMMEDIATE transaction so two processes starting together agree. A wrong key fails here, at
 * start-up, instead of yielding garbage upstream tokens at run time.
 */
export function unlockSealedBox(db: StoreDatabase, secret: string, path: string): SealedBox {
  return db.transaction(
    (tx) => {
      const step = keyRecordStep(secret, PURPOSE, tx.select().from(meta).all())
      if ('box' in step) {
        if (step.insert.length > 0)
          tx.insert(meta)
            .values([...step.insert])
            .onConflictDoNothing()
            .run()
        return step.box
      }
      if (step.refused === 'incomplete') {
        throw new SqliteStoreOpenError(
          path,
          `The OAuth database ${path} has an incomplete key record (meta table)`,
        )
      }
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
