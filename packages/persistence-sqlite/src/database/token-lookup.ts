import type { TokenRow } from '@mxcp/auth-core/store-kit'
import type Database from 'better-sqlite3'
import { getTableColumns, getTableName } from 'drizzle-orm'
import { tokens } from './schema.js'
import { KEY_SLOTS, tokenKeyBase } from './token-key.js'

/** Every column but the key, which is the store's own business: a `TokenRow`. */
const COLUMNS = Object.entries(getTableColumns(tokens)).filter(([key]) => key !== 'tokenKey')

/**
 * The guard's lookup of a presented token by its hash, the hot read of every authenticated
 * request: one probe of the table's B-tree by `token_key` (the rowid), from the hash's key base to
 * the last key it may have taken, the full hash compared on the row; the first match ends it.
 * `NOT INDEXED` keeps SQLite off the unique index of `token_hash` (it would rather probe that,
 * then the table: two probes). drizzle cannot say either, so the SQL is written here and the row
 * decoded with drizzle's own column mappings (JSON, booleans), as its `select()` would.
 */
export function tokenLookup(client: Database.Database): (tokenHash: string) => TokenRow | undefined {
  const names = COLUMNS.map(([, column]) => `"${column.name}"`).join(', ')
  const statement = client.prepare<[number, number, string], unknown[]>(
    `SELECT ${names} FROM "${getTableName(tokens)}" NOT INDEXED ` +
      'WHERE "token_key" BETWEEN ? AND ? AND "token_hash" = ? LIMIT 1',
  )
  return (tokenHash) => {
    const base = tokenKeyBase(tokenHash)
    const values = statement.raw(true).get(base, base + KEY_SLOTS - 1, tokenHash)
    if (values === undefined) return undefined
    const row: Record<string, unknown> = {}
    COLUMNS.forEach(([key, column], i) => {
      const value = values[i]
      row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value)
    })
    // Every column of the row, each decoded by its own definition: the row drizzle would give.
    return row as unknown as TokenRow
  }
}
