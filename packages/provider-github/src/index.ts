/** Runtime options: `fetch`, `timeoutMs`, and the `clock` that turns `expires_in` into `expiresAt`. */
export type { ProviderRuntimeOptions as GitHubOptions } from '@mxcp/auth-core/provider-kit'
export type { GitHubConfig } from './github.js'
export { GitHubOptionsSchema, github, github as default, github as provider, id } from './github.js'
