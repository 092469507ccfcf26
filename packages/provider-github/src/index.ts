export type { GitHubConfig, GitHubOptions, GitHubProviderOptions } from './github.js'
export { GitHubOptionsSchema, github, github as default, github as provider } from './github.js'

/** The `auth.provider` value this package serves. */
export const id = 'github'
