/** Runtime options: `fetch`, `timeoutMs`, and the `clock` that turns `expires_in` into `expiresAt`. */
export type { ProviderRuntimeOptions as AtlassianOptions } from '@mxcp/auth-core/provider-kit'
export type { AtlassianConfig } from './atlassian.js'
export {
  AtlassianOptionsSchema,
  atlassian,
  atlassian as default,
  atlassian as provider,
  id,
} from './atlassian.js'
