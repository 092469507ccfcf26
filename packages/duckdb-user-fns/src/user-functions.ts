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
] as const satisfies readonly { name: string; field: Exclude<keyof SqlUser, 'attributes'> }[]

/**
 * `get_user_attribute(name)`: a named claim or provider attribute of the caller (Salesforce
 * `instance_url`, Atlassian `cloud_id` / `cloud_ids` / `site_urls`, Google `hd`, any string claim
 * of the profile), '' when absent or when the name is NULL.
 */
export const ATTRIBUTE_FUNCTION = 'get_user_attribute'

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

/** The attributes a call site was bound with. */
class BoundAttributes {
  readonly value: Readonly<Record<string, string>>
  constructor(value: Readonly<Record<string, string>>) {
    this.value = value
  }
}

/**
 * `get_user_attribute(name)`: the caller's attributes are read when DuckDB binds the call (as for
 * the other functions, from the calling connection's id); each row's `name` is looked up in them.
 */
function attributeFunction(registry: UserRegistry): DuckDBScalarFunction {
  return DuckDBScalarFunction.create({
    name: ATTRIBUTE_FUNCTION,
    returnType: VARCHAR,
    parameterTypes: [VARCHAR],
    // Called for NULL names too (DuckDB would answer NULL without calling): '' as promised.
    specialHandling: true,
    bindFunction: (info) => {
      info.setBindData(new BoundAttributes(registry.lookup(info.clientContext.connectionId).attributes))
    },
    mainFunction: (info, input, output) => {
      const data = info.bindData
      const attributes = data instanceof BoundAttributes ? data.value : {}
      const names = input.getColumnVector(0)
      for (let row = 0; row < input.rowCount; row++) {
        const name = names.getItem(row)
        output.setItem(
          row,
          typeof name === 'string' && Object.hasOwn(attributes, name) ? (attributes[name] ?? '') : '',
        )
      }
      output.flush()
    },
  })
}

/** The user functions reading `registry` (six constants and `get_user_attribute`), plus the marker naming it. */
export function userFunctions(registry: UserRegistry): DuckDBScalarFunction[] {
  const functions = USER_FUNCTIONS.map(({ name, field }) =>
    constantFunction(name, (connectionId) => registry.lookup(connectionId)[field]),
  )
  functions.push(attributeFunction(registry))
  functions.push(constantFunction(REGISTRY_MARKER, () => registry.id))
  return functions
}
