import type { JSONWebKeySet, JWK } from 'jose'
import { MAX_CLIENT_NAME_LENGTH } from '../../defaults.js'
import { InvalidClientError, OAuthError } from '../../errors/oauth-error.js'
import { formatScope, parseScope } from '../../oauth/scopes.js'
import { parseClientMetadata } from '../register/client-metadata.js'
import type { MetadataClient, MetadataClientAuthMethod } from './metadata-client.js'

/** The scopes the document may ask for, and the ones always required. */
export interface DocumentScopes {
  readonly supported: readonly string[]
  readonly required: readonly string[]
}

/** RFC 7517 §4 / RFC 7518 §6: members that carry private or symmetric key material. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const
/** The public members kept from each key (RFC 7517 §4, RFC 7518 §6, RFC 8037 §2). */
const PUBLIC_MEMBERS = ['kty', 'kid', 'use', 'alg', 'crv', 'n', 'e', 'x', 'y'] as const

function refuse(clientId: string, why: string): never {
  throw new InvalidClientError(`The client metadata document at ${clientId} ${why}`)
}

function authMethod(document: Record<string, unknown>, clientId: string): MetadataClientAuthMethod {
  const method = document['token_endpoint_auth_method']
  // A metadata document is public, so it can carry no shared secret (CIMD draft §4.1): RFC 7591's
  // default `client_secret_basic` cannot apply, and a missing method means a public client.
  if (method === undefined || method === 'none') return 'none'
  if (method === 'private_key_jwt') return 'private_key_jwt'
  return refuse(clientId, 'declares a token_endpoint_auth_method other than none or private_key_jwt')
}

/** A key set with public keys only (RFC 7517 §5); refuses private or symmetric material. */
export function publicKeySet(value: unknown, clientId: string): JSONWebKeySet {
  const keys =
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>)['keys'] : undefined
  if (!Array.isArray(keys) || keys.length === 0) return refuse(clientId, 'has a jwks without keys')
  if (keys.length > 20) return refuse(clientId, 'has more than 20 keys in its jwks')
  return {
    keys: keys.map((key) => {
      if (typeof key !== 'object' || key === null || Array.isArray(key))
        return refuse(clientId, 'has a malformed key')
      const record = key as Record<string, unknown>
      if (typeof record['kty'] !== 'string' || record['kty'] === 'oct')
        return refuse(clientId, 'has a key that is not an asymmetric public key')
      if (PRIVATE_MEMBERS.some((member) => member in record))
        return refuse(clientId, 'publishes private key material')
      const jwk: JWK = {}
      for (const member of PUBLIC_MEMBERS) {
        const item = record[member]
        if (typeof item === 'string') jwk[member] = item
      }
      return jwk
    }),
  }
}

function keysOf(
  document: Record<string, unknown>,
  clientId: string,
): { jwks?: JSONWebKeySet; jwksUri?: URL } {
  const inline = document['jwks']
  const uri = document['jwks_uri']
  // RFC 7591 §2: jwks_uri and jwks MUST NOT both be present.
  if (inline !== undefined && uri !== undefined) return refuse(clientId, 'has both jwks and jwks_uri')
  if (inline !== undefined) return { jwks: publicKeySet(inline, clientId) }
  if (typeof uri !== 'string' || !URL.canParse(uri) || new URL(uri).protocol !== 'https:')
    return refuse(clientId, 'declares private_key_jwt without jwks or an https jwks_uri')
  return { jwksUri: new URL(uri) }
}

/** The document's scopes that we support (it is written for many servers); all we support when it names none. */
function scopeOf(document: Record<string, unknown>, scopes: DocumentScopes, clientId: string): string {
  const value = document['scope']
  if (value === undefined) return formatScope(scopes.supported)
  if (typeof value !== 'string') return refuse(clientId, 'has a scope that is not a string')
  let wanted: string[]
  try {
    wanted = parseScope(value)
  } catch {
    return refuse(clientId, 'has a malformed scope')
  }
  return formatScope(wanted.filter((scope) => scopes.supported.includes(scope)))
}

function checkRequiredFields(document: Record<string, unknown>, clientId: string): void {
  // MCP authorization 2025-11-25 §5.1.1: client_id, client_name and redirect_uris are required.
  if (document['client_id'] !== clientId) refuse(clientId, 'has a client_id that is not exactly its own URL')
  const name = document['client_name']
  if (typeof name !== 'string' || name.trim() === '') refuse(clientId, 'has no client_name')
  if (name.length > MAX_CLIENT_NAME_LENGTH)
    refuse(clientId, `has a client_name longer than ${MAX_CLIENT_NAME_LENGTH} characters`)
  if (document['redirect_uris'] === undefined) refuse(clientId, 'has no redirect_uris')
  // CIMD draft §4.1: a document must not contain a client secret.
  if (document['client_secret'] !== undefined || document['client_secret_expires_at'] !== undefined)
    refuse(clientId, 'contains a client_secret, which a public document must never hold')
}

/**
 * Validates a fetched Client ID Metadata Document (MCP authorization 2025-11-25 §5.1.1, CIMD
 * draft §4) into a client: a JSON object whose `client_id` is exactly the URL it came from, with
 * `client_name` and `redirect_uris`; redirect URIs, grant and response types checked by the same
 * rules as RFC 7591 registration; `token_endpoint_auth_method` `none` or `private_key_jwt` (with
 * `jwks` or `jwks_uri`). Throws `invalid_client` naming the problem.
 */
export function parseMetadataDocument(
  body: unknown,
  url: URL,
  scopes: DocumentScopes,
  fetchedAt: number,
): MetadataClient {
  const clientId = url.href
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return refuse(clientId, 'is not a JSON object')
  const document = body as Record<string, unknown>
  checkRequiredFields(document, clientId)
  const method = authMethod(document, clientId)
  const keys = method === 'private_key_jwt' ? keysOf(document, clientId) : {}
  let registered: ReturnType<typeof parseClientMetadata>
  try {
    registered = parseClientMetadata(
      {
        redirect_uris: document['redirect_uris'],
        grant_types: document['grant_types'],
        response_types: document['response_types'],
        client_name: document['client_name'],
        client_uri: document['client_uri'],
        software_id: document['software_id'],
        software_version: document['software_version'],
        // Checked above; RFC 7591 parsing only knows secret-less `none`.
        token_endpoint_auth_method: 'none',
        scope: scopeOf(document, scopes, clientId),
      },
      scopes.supported,
      scopes.required,
    )
  } catch (error) {
    if (error instanceof OAuthError) return refuse(clientId, `is invalid: ${error.description}`)
    throw error
  }
  return {
    record: {
      clientId,
      clientSecretHash: undefined,
      clientName: registered.client_name ?? url.host,
      redirectUris: registered.redirect_uris,
      grantTypes: registered.grant_types,
      responseTypes: registered.response_types,
      scopes: registered.scope.split(' ').filter(Boolean),
      tokenEndpointAuthMethod: 'none',
      issuedAt: fetchedAt,
      secretExpiresAt: 0,
      metadata: { ...registered, client_id: clientId, token_endpoint_auth_method: method },
    },
    authMethod: method,
    ...keys,
    host: url.host,
  }
}
