import type { JSONWebKeySet } from 'jose'
import type { ClientRecord } from '../../store/records.js'

/** How a metadata-document client authenticates at `/token` and `/revoke`. */
export type MetadataClientAuthMethod = 'none' | 'private_key_jwt'

/**
 * A client known from its Client ID Metadata Document. `record` is what the rest of the server
 * sees (no secret, never stored); `authMethod` is the method its document declares, which
 * `ClientRecord.tokenEndpointAuthMethod` cannot express, so the record says `none` and
 * authentication asks for this object instead.
 */
export interface MetadataClient {
  readonly record: ClientRecord
  readonly authMethod: MetadataClientAuthMethod
  /** `private_key_jwt`: the keys inline (`jwks`) … */
  readonly jwks?: JSONWebKeySet | undefined
  /** … or where they are (`jwks_uri`). */
  readonly jwksUri?: URL | undefined
  /** The client_id URL's host (with a port when it has one): who vouches for this client. */
  readonly host: string
}
