import type { ProviderConfig } from '@mxcp/auth-core/provider-kit'
import type { AtlassianOptionsSchema } from './atlassian.js'

/** The `auth.atlassian` block as the configuration writes it (snake_case). */
export type AtlassianConfig = ProviderConfig<typeof AtlassianOptionsSchema>
/** Runtime options: `fetch`, `timeoutMs`, and the `clock` that turns `expires_in` into `expiresAt`. */
export type { ProviderRuntimeOptions as AtlassianOptions } from '@mxcp/auth-core/provider-kit'
export {
  AtlassianOptionsSchema,
  atlassian,
  atlassian as default,
  atlassian as provider,
} from './atlassian.js'

/** The `auth.provider` value this package serves. */
export const id = 'atlassian'
