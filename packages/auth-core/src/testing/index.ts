/**
 * `@mxcp/auth-core/testing`: for tests of apps, providers and stores: the fake clock, the store
 * contract suites, the provider flow harness and its stand-in helpers, record fixtures, and the
 * few internals tests look at (token prefixes, lifetimes, hashes, the OIDC nonce derivation).
 */
export { allowlistRefusal } from '../access/allowlist.js'
export { userAttributes } from '../access/user-attributes.js'
export { FakeClock } from '../clock.js'
export { randomToken, sha256, sha256Base64Url } from '../crypto.js'
export {
  ACCESS_TOKEN_PREFIX,
  AUTHORIZATION_CODE_PREFIX,
  CLIENT_SECRET_PREFIX,
  CONSENT_TTL_MS,
  REFRESH_TOKEN_PREFIX,
  TRANSACTION_TTL_MS,
} from '../defaults.js'
export { nonceFromChallenge, nonceFromVerifier } from '../upstream/oidc-nonce.js'
export { assertConfigError } from './config-assertions.js'
export type { ProviderPackageModule } from './provider-exports.js'
export { assertProviderExports } from './provider-exports.js'
export type {
  ExpectedUser,
  FlowAuthorization,
  FlowBrowser,
  FlowBrowserRun,
  FlowUser,
  FlowWhoami,
  InjectingFetch,
  ProviderFlow,
  ProviderFlowOptions,
} from './provider-flow.js'
export {
  assertUserContext,
  FLOW_CLIENT_REDIRECT,
  FLOW_CLIENT_STATE,
  startProviderFlow,
} from './provider-flow.js'
export * from './record-fixtures.js'
export { singleUseContract } from './single-use-contract.js'
export { storeAdminContract } from './store-admin-contract.js'
export type { StoreContractOptions } from './store-contract.js'
export { storeContract } from './store-contract.js'
export type { OpenReplicas } from './store-contract-replicas.js'
export type { DenyingStandIn, RejectsUpstream } from './upstream-checks.js'
export { upstreamRejection } from './upstream-checks.js'
export type { FollowToCallback, UpstreamCallback, UpstreamLogin } from './upstream-login.js'
export { followBack, loginAt } from './upstream-login.js'
export type { UpstreamTestKit, UpstreamTestKitOptions } from './upstream-test-kit.js'
export { upstreamTestKit } from './upstream-test-kit.js'
