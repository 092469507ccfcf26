import { getTableColumns, type Placeholder, type SQL, sql } from 'drizzle-orm'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'

/** A placeholder named after each column's property, to prepare a whole-row statement once. */
export type RowPlaceholders<T extends SQLiteTable> = {
  [K in keyof T['$inferInsert'] & string]-?: Placeholder<K>
}

/**
 * `{ clientId: sql.placeholder('clientId'), … }` for every column of `table`: the values of an
 * `INSERT` prepared once, run with a row of the table as its parameters. drizzle binds each value
 * through its column (JSON, booleans) as its unprepared `insert().values(row)` would.
 */
export function rowPlaceholders<T extends SQLiteTable>(table: T): RowPlaceholders<T> {
  const entries = Object.keys(getTableColumns(table)).map((key) => [key, sql.placeholder(key)])
  return Object.fromEntries(entries) as RowPlaceholders<T>
}

/**
 * The `SET` of an upsert that replaces the stored row by the one proposed: every column but
 * `key` from `excluded`, so the row's values are bound once, by the `INSERT` part.
 */
export function fromExcluded(table: SQLiteTable, key: string): Record<string, SQL> {
  const entries = Object.entries(getTableColumns(table))
    .filter(([property]) => property !== key)
    .map(([property, column]) => [property, sql.raw(`excluded."${column.name}"`)])
  return Object.fromEntries(entries)
}

/** `{ key: sql.placeholder(key) }` for each of `keys`: the changed columns of an `UPDATE` prepared once. */
export function placeholders(keys: readonly string[]): Record<string, Placeholder> {
  return Object.fromEntries(keys.map((key) => [key, sql.placeholder(key)]))
}

/**
 * A row as the parameters of a prepared statement, type-wise only: drizzle takes a
 * `Record<string, unknown>`, which a row interface (no index signature) is not, although it is one.
 */
export function asParameters<Row extends object>(row: Row): { [K in keyof Row]: Row[K] } {
  return row
}
