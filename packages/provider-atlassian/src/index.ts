export type { AtlassianConfig } from '@mxcp/auth-core/provider-kit'
export type { AtlassianOptions } from './atlassian.js'
export { atlassian, atlassian as default, atlassian as provider } from './atlassian.js'

/** The `auth.provider` value this package serves. */
export const id = 'atlassian'
