import { DuckDBScalarFunction, VARCHAR } from '@duckdb/node-api'
import type { SqlUser } from './sql-user.js'
import type { UserRegistry } from './user-registry.js'

/** The SQL functions, each reading one field of the caller. */
export const USER_FUNCTIONS = [
  { name: 'get_user_external_token', field: 'externalToken' },
  { name: 'get_username', field: 'username' },
  { name: 'get_user_provider', field: 'provider' },
  { name: 'get_user_email', field: 'email' },
  { name: 'get_user_id', field: 'userId' },
  { name: 'get_user_name', field: 'name' },
] as const satisfies readonly { name: string; field: keyof SqlUser }[]

/** Names a database's registry, so a second pool on the same database finds the first one's. */
export const REGISTRY_MARKER = 'mxcp_user_fns_registry'

/** The value a call site was bound with, frozen into the query plan. */
class BoundValue {
  readonly value: string
  constructor(value: string) {
    this.value = value
  }
}

/**
 * A zero-argument VARCHAR function whose value is decided when DuckDB binds the call: the bind
 * callback reads the calling connection's id from the client context and keeps that value as
 * bind data. The function is not volatile, so the optimizer folds it into a constant (filters
 * on `get_username()` still push down into scans).
 */
function constantFunction(name: string, valueFor: (connectionId: number) => string): DuckDBScalarFunction {
  return DuckDBScalarFunction.create({
    name,
    returnType: VARCHAR,
    bindFunction: (info) => {
      info.setBindData(new BoundValue(valueFor(info.clientContext.connectionId)))
    },
    mainFunction: (info, input, output) => {
      const data = info.bindData
      const value = data instanceof BoundValue ? data.value : ''
      for (let row = 0; row < input.rowCount; row++) output.setItem(row, value)
      output.flush()
    },
  })
}

/** The six user functions reading `registry`, plus the marker naming it. */
export function userFunctions(registry: UserRegistry): DuckDBScalarFunction[] {
  const functions = USER_FUNCTIONS.map(({ name, field }) =>
    constantFunction(name, (connectionId) => registry.lookup(connectionId)[field]),
  )
  functions.push(constantFunction(REGISTRY_MARKER, () => registry.id))
  return functions
}
