export type { SalesforceConfig } from '@mxcp/auth-core/provider-kit'
export type { SalesforceOptions } from './salesforce.js'
export { salesforce, salesforce as default, salesforce as provider } from './salesforce.js'

/** The `auth.provider` value this package serves. */
export const id = 'salesforce'
