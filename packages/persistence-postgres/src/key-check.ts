import { bindKey, type SealedBox, unlockKey } from '@mxcp/auth-core/store-kit'
import type { NodePgDatabase } from 'drizzle-orm/node-postgres'
import type { Tables } from './schema/define-tables.js'

const SALT_KEY = 'kdf_salt'
const CHECK_KEY = 'key_check'
/** HKDF purpose: keys derived for this store serve nothing else. */
const PURPOSE = 'persistence-postgres'

/**
 * Binds `encryption_key` to the database on the first start (a random HKDF salt and a key check
 * value), or verifies it on every later one, and returns the box that seals and opens upstream
 * secrets. Runs under the migration lock, so replicas starting together agree on one salt.
 * A replica with another key fails here, at start-up, not on every session the others stored.
 */
export async function unlockSealedBox(
  db: NodePgDatabase,
  tables: Pick<Tables, 'meta'>,
  encryptionKey: string,
): Promise<SealedBox> {
  const { meta } = tables
  const rows = await db.select().from(meta)
  const salt = rows.find((row) => row.key === SALT_KEY)?.value
  const check = rows.find((row) => row.key === CHECK_KEY)?.value

  if (salt === undefined && check === undefined) {
    const binding = bindKey(encryptionKey, PURPOSE)
    await db.insert(meta).values([
      { key: SALT_KEY, value: binding.salt },
      { key: CHECK_KEY, value: binding.check },
    ])
    return binding.box
  }
  if (salt === undefined || check === undefined) {
    throw new Error('PostgreSQL store: the meta table holds an incomplete key record (kdf_salt, key_check)')
  }
  const box = unlockKey(encryptionKey, PURPOSE, salt, check)
  if (box) return box
  throw new Error(
    'PostgreSQL store: auth.persistence.encryption_key is not the key this database was set up with. ' +
      'Every replica must use the same key; with another one the stored upstream tokens cannot be read. ' +
      'Nothing was changed. If the original key is lost, stop every replica and drop the store schema ' +
      '(default: DROP SCHEMA mxcp_auth CASCADE): every user signs in again.',
  )
}
