/**
 * `@mxcp/auth-core/store-kit`: what every `OAuthStore` is built against (the store contract and
 * its records, the sealed box for secrets at rest, single-use records, the administration
 * interface, the errors a store throws), and what every SQL store shares, so stores differ only
 * in their SQL: the row shapes, the record codec (sealing secrets, checking JSON read back), the
 * rotation rules (grace window, born-revoked families), the admin rules, the key record and the
 * in-process queue of a session lock.
 */
export type { Clock } from '../clock.js'
export { systemClock } from '../clock.js'
export { randomToken, sha256, sha256Base64Url } from '../crypto.js'
export { MemorySingleUse } from '../store/memory-single-use.js'
export type { OAuthStore } from '../store/oauth-store.js'
export { StoreUnavailableError } from '../store/oauth-store.js'
export type * from '../store/records.js'
export type { KeyBinding } from '../store/sealed-box.js'
export { bindKey, SealedBox, UnsealError, unlockKey } from '../store/sealed-box.js'
export type {
  ClaimExpiryOptions,
  HasSingleUseRecords,
  SingleUseRecords,
  WindowCount,
} from '../store/single-use-records.js'
export { singleUseRecordsOf } from '../store/single-use-records.js'
export type { Revocation, SessionSummary, StoreAdmin } from '../store/store-admin.js'
export { isLiveToken, matchesUser } from '../store/store-admin.js'
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
