export { PoolBusyError } from './fair-queue.js'
export { installUserFunctions } from './install-user-functions.js'
export type { StatementTypes, StatementValues } from './kept-statements.js'
export { LeaseEndedError } from './lease.js'
export { QueryTimeoutError } from './query-timeout.js'
export { REDACTED } from './redact-secret.js'
export { findShadowingObjects, type ShadowingObject } from './shadowing-objects.js'
export type { SqlUser } from './sql-user.js'
export { ATTRIBUTE_FUNCTION, USER_FUNCTIONS } from './user-functions.js'
export type { LeasedStatements, LeaseFunction, UserPool, UserPoolOptions } from './user-pool.js'
export {
  createUserPool,
  DEFAULT_MAX_WAIT_MS,
  DEFAULT_QUERY_TIMEOUT_MS,
  UserFunctionShadowedError,
  UserPoolClosedError,
  withUser,
} from './user-pool.js'
