import { bindKey, type SealedBox, unlockKey } from '../store/sealed-box.js'

/**
 * The key record of a SQL store: two rows of its `meta` table, written by the first start and
 * checked by every later one, so a process configured with another encryption key refuses to
 * start instead of reading garbage (or failing on every session the others stored).
 */

/** The `meta` row of the random HKDF salt. */
export const KEY_SALT = 'kdf_salt'
/** The `meta` row of the key check value (a known text sealed with the derived key). */
export const KEY_CHECK = 'key_check'

/** One row of a store's `meta` table. */
export interface MetaRow {
  key: string
  value: Buffer
}

/**
 * What a store does at start-up with the `meta` rows it read (under a lock, so two processes
 * starting together agree): a database without a key record gets one (`insert`, empty once the
 * key is bound); a half-written record or another key is refused, and the store says so in its
 * own words. `purpose` keeps the keys derived for one store from serving another.
 */
export type KeyRecordStep =
  | { readonly box: SealedBox; readonly insert: readonly MetaRow[] }
  | { readonly refused: 'incomplete' | 'other-key' }

export function keyRecordStep(secret: string, purpose: string, rows: readonly MetaRow[]): KeyRecordStep {
  const salt = rows.find((row) => row.key === KEY_SALT)?.value
  const check = rows.find((row) => row.key === KEY_CHECK)?.value
  if (salt === undefined && check === undefined) {
    const binding = bindKey(secret, purpose)
    return {
      box: binding.box,
      insert: [
        { key: KEY_SALT, value: binding.salt },
        { key: KEY_CHECK, value: binding.check },
      ],
    }
  }
  if (salt === undefined || check === undefined) return { refused: 'incomplete' }
  const box = unlockKey(secret, purpose, salt, check)
  return box ? { box, insert: [] } : { refused: 'other-key' }
}
