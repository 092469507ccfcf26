/**
 * `@mxcp/auth-core/store-kit`: what every SQL `OAuthStore` shares, so stores differ only in their
 * SQL: the row shapes, the record codec (sealing secrets, checking JSON read back), the
 * rotation rules (grace window, born-revoked families), the admin rules, the key record and the
 * in-process queue of a session lock.
 */
export type { ListedSessionRow, LiveTokenRow } from './admin-rules.js'
export {
  clientRevocation,
  columnsOf,
  LISTED_SESSION_COLUMNS,
  LIVE_TOKEN_COLUMNS,
  sessionsNamed,
  summarizeSession,
  summarizeSessions,
} from './admin-rules.js'
export type { ExchangePlan, RotationPlan, TokenWrite } from './grant-plans.js'
export { planExchange, planRotation } from './grant-plans.js'
export { isJsonObject, isUpstreamTokens, isUpstreamUser, parseStoredJson } from './json-guards.js'
export type { KeyRecordStep, MetaRow } from './key-record.js'
export { KEY_CHECK, KEY_SALT, keyRecordStep } from './key-record.js'
export { KeyedMutex } from './keyed-mutex.js'
export {
  assertDigest,
  clientToRow,
  codeToRow,
  rowToClient,
  rowToCode,
  rowToSession,
  rowToToken,
  rowToTransaction,
  sealUpstream,
  sessionPatchToRow,
  sessionToRow,
  tokenToRow,
  transactionToRow,
} from './record-codec.js'
export type { ExchangeStep, RotationStep } from './rotation-rules.js'
export {
  bornRevoked,
  DEFAULT_REFRESH_GRACE_MS,
  exchangeStep,
  familiesOf,
  REVOKED_FAMILY_MEMORY_MS,
  refreshTokenOf,
  rotationStep,
} from './rotation-rules.js'
export type {
  ClientRow,
  CodeRow,
  SessionRow,
  SessionRowPatch,
  TokenRow,
  TransactionRow,
} from './stored-rows.js'
export type { SweepCounts } from './sweep-rules.js'
export {
  EXPIRING_KINDS,
  emptySweepCounts,
  inBatches,
  SWEEP_BATCH,
  SWEEP_MAX_BATCHES,
  UNUSED_CLIENT_MS,
} from './sweep-rules.js'
