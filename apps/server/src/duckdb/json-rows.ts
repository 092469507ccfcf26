import {
  DuckDBDecimalValue,
  type DuckDBMaterializedResult,
  DuckDBTypeId,
  type DuckDBValueConverter,
  type Json,
  JsonDuckDBValueConverter,
} from '@duckdb/node-api'

const WIDE_INTEGERS: ReadonlySet<DuckDBTypeId> = new Set([
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
])

/** Decimals of up to 15 digits fit a double exactly. */
const EXACT_DOUBLE_DIGITS = 15

/**
 * DuckDB values as JSON. DuckDB's own JSON converter writes every BIGINT as a string (`count(*)`
 * would come back as `"3"`) and every DECIMAL as a string: here both are numbers whenever the
 * number is exact, and strings only when a double would lose digits.
 */
export const jsonRowConverter: DuckDBValueConverter<Json> = (value, type, converter) => {
  if (typeof value === 'bigint' && WIDE_INTEGERS.has(type.typeId)) {
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString()
  }
  if (value instanceof DuckDBDecimalValue && value.width <= EXACT_DOUBLE_DIGITS) return value.toDouble()
  return JsonDuckDBValueConverter(value, type, converter)
}

/** One result row, JSON-ready. */
export type JsonRow = Record<string, Json | null>

/**
 * Every row of a materialized result (what `run` gives), converted to JSON once. Its chunks are
 * already in memory: they are read synchronously, where the Node API's reader would fetch them
 * one by one (two native round trips for a one-row result: the chunk, then an empty one).
 */
export function materializedRows(result: DuckDBMaterializedResult): JsonRow[] {
  const columns = result.deduplicatedColumnNames()
  const rows: JsonRow[] = []
  const chunks = result.chunkCount
  for (let index = 0; index < chunks; index++) {
    const chunk = result.getChunk(index)
    const count = chunk.rowCount
    for (let row = 0; row < count; row++) {
      const object: JsonRow = {}
      chunk.visitRowValues(row, (value, _row, column, type) => {
        object[columns[column] as string] = jsonRowConverter(value, type, jsonRowConverter)
      })
      rows.push(object)
    }
  }
  return rows
}
