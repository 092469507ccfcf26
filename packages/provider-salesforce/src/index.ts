export type { SalesforceConfig, SalesforceOptions, SalesforceProviderOptions } from './salesforce.js'
export {
  SalesforceOptionsSchema,
  salesforce,
  salesforce as default,
  salesforce as provider,
} from './salesforce.js'

/** The `auth.provider` value this package serves. */
export const id = 'salesforce'
