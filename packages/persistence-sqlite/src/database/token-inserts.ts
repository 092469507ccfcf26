import type { TokenRow } from '@mxcp/auth-core/store-kit'
import { between, sql } from 'drizzle-orm'
import type { StoreDatabase } from './open-database.js'
import { asParameters, rowPlaceholders } from './row-placeholders.js'
import { tokens } from './schema.js'
import { KEY_SLOTS, tokenKeyBase } from './token-key.js'

/**
 * Stores a token row under the first free `token_key` from its hash's key base on (see
 * `token-key.ts`), where the guard's lookup searches: the base itself nearly always, the next
 * free one when another hash with the same base holds it. Runs inside the caller's write
 * transaction, so the keys seen free stay free until the insert. A hash stored twice is refused
 * by the unique index of `token_hash`, as the primary key refused it before.
 */
export function tokenInserts(db: StoreDatabase): (row: TokenRow) => void {
  const param = sql.placeholder
  const insert = db
    .insert(tokens)
    .values(rowPlaceholders(tokens))
    .onConflictDoNothing({ target: tokens.tokenKey })
    .prepare()
  const takenKeys = db
    .select({ key: tokens.tokenKey })
    .from(tokens)
    .where(between(tokens.tokenKey, param('first'), param('last')))
    .prepare()
  const insertAt = (row: TokenRow, tokenKey: number): boolean =>
    insert.run(asParameters({ ...row, tokenKey })).changes === 1
  return (row) => {
    const base = tokenKeyBase(row.tokenHash)
    if (insertAt(row, base)) return
    const last = base + KEY_SLOTS - 1
    const taken = new Set(takenKeys.all({ first: base, last }).map(({ key }) => key))
    for (let key = base + 1; key <= last; key++) if (!taken.has(key) && insertAt(row, key)) return
    throw new Error(`OAuth store: no free token key from ${base} on (${KEY_SLOTS} hashes alike)`)
  }
}
