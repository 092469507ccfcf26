export type { GitHubConfig } from '@mxcp/auth-core/provider-kit'
export type { GitHubOptions } from './github.js'
export { github, github as default, github as provider } from './github.js'

/** The `auth.provider` value this package serves. */
export const id = 'github'
