import type { TypeSpec } from '../definitions/definition-types.js'
import type { JsonRow } from '../duckdb/json-rows.js'

/** The query's rows do not fit the declared `return` type. */
export class ResultShapeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ResultShapeError'
  }
}

/**
 * Shapes rows as the definition's `return` type says, as MXCP does: `array` (or none) gives
 * every row, `object` the single row, a scalar type the single value of the single row.
 */
export function shapeResult(rows: readonly JsonRow[], returns: TypeSpec | undefined): unknown {
  const type = returns?.type ?? 'array'
  if (type === 'array') return rows
  if (rows.length !== 1) {
    throw new ResultShapeError(
      `the query returned ${rows.length} rows where the return type ${type} needs one`,
    )
  }
  const [row] = rows
  if (type === 'object') return row
  const values = Object.values(row ?? {})
  if (values.length !== 1) {
    throw new ResultShapeError(
      `the query returned ${values.length} columns where the return type ${type} needs one`,
    )
  }
  return values[0]
}
