/** Runtime options: `fetch`, `timeoutMs`, and the `clock` that turns `expires_in` into `expiresAt`. */
export type { ProviderRuntimeOptions as SalesforceOptions } from '@mxcp/auth-core/provider-kit'
export type { SalesforceConfig } from './salesforce.js'
export {
  id,
  SalesforceOptionsSchema,
  salesforce,
  salesforce as default,
  salesforce as provider,
} from './salesforce.js'
