import type { Static } from 'typebox'
import { AtlassianConfigSchema } from './atlassian.js'
import { GitHubConfigSchema } from './github.js'
import { GoogleConfigSchema } from './google.js'
import { KeycloakConfigSchema } from './keycloak.js'
import { OidcConfigSchema } from './oidc.js'
import { SalesforceConfigSchema } from './salesforce.js'

export {
  AtlassianConfigSchema,
  GitHubConfigSchema,
  GoogleConfigSchema,
  KeycloakConfigSchema,
  OidcConfigSchema,
  SalesforceConfigSchema,
}

export type GitHubConfig = Static<typeof GitHubConfigSchema>
export type AtlassianConfig = Static<typeof AtlassianConfigSchema>
export type SalesforceConfig = Static<typeof SalesforceConfigSchema>
export type KeycloakConfig = Static<typeof KeycloakConfigSchema>
export type GoogleConfig = Static<typeof GoogleConfigSchema>
export type OidcConfig = Static<typeof OidcConfigSchema>

/** Each provider block, its label in messages, and the fields it cannot work without. */
export const PROVIDER_BLOCKS = {
  github: { label: 'GitHub', schema: GitHubConfigSchema, required: ['client_id', 'client_secret'] },
  atlassian: { label: 'Atlassian', schema: AtlassianConfigSchema, required: ['client_id', 'client_secret'] },
  salesforce: {
    label: 'Salesforce',
    schema: SalesforceConfigSchema,
    required: ['client_id', 'client_secret'],
  },
  keycloak: {
    label: 'Keycloak',
    schema: KeycloakConfigSchema,
    required: ['client_id', 'client_secret', 'realm', 'server_url'],
  },
  google: { label: 'Google', schema: GoogleConfigSchema, required: ['client_id', 'client_secret'] },
  oidc: { label: 'OIDC', schema: OidcConfigSchema, required: ['client_id', 'client_secret', 'issuer'] },
} as const

export type ProviderId = keyof typeof PROVIDER_BLOCKS
export const PROVIDER_IDS = Object.keys(PROVIDER_BLOCKS) as ProviderId[]
