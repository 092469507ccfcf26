import type { ProviderConfig } from '@mxcp/auth-core/provider-kit'
import type { SalesforceOptionsSchema } from './salesforce.js'

/** The `auth.salesforce` block as the configuration writes it (snake_case). */
export type SalesforceConfig = ProviderConfig<typeof SalesforceOptionsSchema>
/** Runtime options: `fetch`, `timeoutMs`, and the `clock` that turns `expires_in` into `expiresAt`. */
export type { ProviderRuntimeOptions as SalesforceOptions } from '@mxcp/auth-core/provider-kit'
export {
  SalesforceOptionsSchema,
  salesforce,
  salesforce as default,
  salesforce as provider,
} from './salesforce.js'

/** The `auth.provider` value this package serves. */
export const id = 'salesforce'
