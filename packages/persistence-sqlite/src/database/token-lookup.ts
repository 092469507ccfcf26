import type { TokenRow } from '@mxcp/auth-core/store-kit'
import type Database from 'better-sqlite3'
import { getTableColumns, getTableName } from 'drizzle-orm'
import { TOKEN_LOOKUP_INDEX, tokens } from './schema.js'

const COLUMNS = Object.entries(getTableColumns(tokens))

/**
 * The guard's lookup of a presented token by its hash, the hot read of every authenticated
 * request: one probe of the covering index `tokens_lookup`, which holds the whole row, so the
 * table itself is never read. The index is named (`INDEXED BY`) because SQLite would rather take
 * the primary key's index and then read the table: two probes, twice the pages at a million
 * tokens. drizzle cannot name an index, so the SQL is written here and the row decoded with
 * drizzle's own column mappings (JSON, booleans), as its `select()` would.
 */
export function tokenLookup(client: Database.Database): (tokenHash: string) => TokenRow | undefined {
  const names = COLUMNS.map(([, column]) => `"${column.name}"`).join(', ')
  const statement = client.prepare<[string], unknown[]>(
    `SELECT ${names} FROM "${getTableName(tokens)}" INDEXED BY "${TOKEN_LOOKUP_INDEX}" WHERE "token_hash" = ?`,
  )
  return (tokenHash) => {
    const values = statement.raw(true).get(tokenHash)
    if (values === undefined) return undefined
    const row: Record<string, unknown> = {}
    COLUMNS.forEach(([key, column], i) => {
      const value = values[i]
      row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value)
    })
    // Every column of the table, each decoded by its own definition: the row drizzle would give.
    return row as unknown as TokenRow
  }
}
