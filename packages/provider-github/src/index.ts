import type { ProviderConfig } from '@mxcp/auth-core/provider-kit'
import type { GitHubOptionsSchema } from './github.js'

/** The `auth.github` block as the configuration writes it (snake_case). */
export type GitHubConfig = ProviderConfig<typeof GitHubOptionsSchema>
/** Runtime options: `fetch`, `timeoutMs`, and the `clock` that turns `expires_in` into `expiresAt`. */
export type { ProviderRuntimeOptions as GitHubOptions } from '@mxcp/auth-core/provider-kit'
export { GitHubOptionsSchema, github, github as default, github as provider } from './github.js'

/** The `auth.provider` value this package serves. */
export const id = 'github'
