import type { SealedBox } from '@mxcp/auth-core/store-kit'
import { keyRecordStep } from '@mxcp/auth-core/store-kit'
import type { NodePgDatabase } from 'drizzle-orm/node-postgres'
import type { Tables } from './schema/define-tables.js'

/** HKDF purpose: keys derived for this store serve nothing else. */
const PURPOSE = 'persistence-postgres'

/**
 * Binds `encryption_key` to the database on the first start, or verifies it on every later one
 * (`keyRecordStep`), and returns the box that seals and opens upstream secrets. Runs under the
 * migration lock, so replicas starting together agree on one salt. A replica with another key
 * fails here, at start-up, not on every session the others stored.
 */
export async function unlockSealedBox(
  db: NodePgDatabase,
  tables: Pick<Tables, 'meta'>,
  encryptionKey: string,
): Promise<SealedBox> {
  const { meta } = tables
  const step = keyRecordStep(encryptionKey, PURPOSE, await db.select().from(meta))
  if ('box' in step) {
    if (step.insert.length > 0) await db.insert(meta).values([...step.insert])
    return step.box
  }
  if (step.refused === 'incomplete') {
    throw new Error('PostgreSQL store: the meta table holds an incomplete key record (kdf_salt, key_check)')
  }
  throw new Error(
    'PostgreSQL store: auth.persistence.encryption_key is not the key this database was set up with. ' +
      'Every replica must use the same key; with another one the stored upstream tokens cannot be read. ' +
      'Nothing was changed. If the original key is lost, stop every replica and drop the store schema ' +
      '(default: DROP SCHEMA mxcp_auth CASCADE): every user signs in again.',
  )
}
