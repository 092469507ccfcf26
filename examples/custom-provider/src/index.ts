export { GitLabOptionsSchema, gitlab, gitlab as default, gitlab as provider } from './gitlab.js'

/** The `auth.provider` value this package serves. */
export const id = 'gitlab'
