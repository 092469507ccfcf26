export type { AtlassianConfig, AtlassianOptions, AtlassianProviderOptions } from './atlassian.js'
export {
  AtlassianOptionsSchema,
  atlassian,
  atlassian as default,
  atlassian as provider,
} from './atlassian.js'

/** The `auth.provider` value this package serves. */
export const id = 'atlassian'
