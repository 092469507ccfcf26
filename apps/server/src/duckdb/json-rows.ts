import {
  DuckDBDecimalValue,
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
