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
