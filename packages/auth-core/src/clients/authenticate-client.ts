import { safeEqual, sha256 } from '../crypto.js'
import { InvalidClientError, InvalidRequestError } from '../errors/oauth-error.js'
import type { ParamReader } from '../http/params.js'
import { authenticateMetadataClient } from '../server/client-metadata/authenticate-metadata-client.js'
import { assertionSubject, readClientAssertion } from '../server/client-metadata/client-assertion-params.js'
import type { ClientRecord, TokenEndpointAuthMethod } from '../store/records.js'
import type { ClientDirectory } from './client-directory.js'

/** How the client identified itself at the token or revocation endpoint. */
export interface PresentedCredentials {
  readonly clientId: string
  readonly secret: string | undefined
  /** The Basic secret exactly as sent, when it differs from the form-decoded one (see parseBasic). */
  readonly rawSecret?: string | undefined
  /** A `private_key_jwt` client assertion (RFC 7523 §2.2); only metadata-document clients use one. */
  readonly assertion?: string | undefined
  readonly method: TokenEndpointAuthMethod | 'private_key_jwt'
}

/** RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64. Undefined when malformed. */
function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '))
  } catch {
    return undefined
  }
}

/**
 * Quirk: RFC 6749 §2.3.1 says to form-urlencode id and secret before base64, but many clients
 * (the MCP SDK among them) do not. Both readings are tried, so a secret with `+` or `%` works
 * either way; the secret is the same string in both cases, so nothing is weakened.
 */
function parseBasic(header: string): { clientId: string; secret: string; rawSecret: string } {
  const encoded = /^Basic +([A-Za-z0-9+/=._~-]+) *$/i.exec(header)?.[1]
  if (!encoded) throw new InvalidClientError('The Basic authorization header is malformed')
  const decoded = Buffer.from(encoded, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon <= 0) throw new InvalidClientError('The Basic authorization header is malformed')
  const rawId = decoded.slice(0, colon)
  const rawSecret = decoded.slice(colon + 1)
  return { clientId: formDecode(rawId) ?? rawId, secret: formDecode(rawSecret) ?? rawSecret, rawSecret }
}

/**
 * Reads the client's credentials: `client_secret_basic` (Authorization header),
 * `client_secret_post` (`client_id` + `client_secret` in the body) or `none` (`client_id` only).
 * OAuth 2.1 §2.4: a client must not use more than one method in a request (`invalid_request`).
 */
export function readCredentials(
  authorization: string | undefined,
  params: ParamReader,
): PresentedCredentials {
  const bodyId = params.optional('client_id')
  const bodySecret = params.optional('client_secret')
  const assertion = readClientAssertion(params)
  if (authorization && /^basic /i.test(authorization)) {
    if (bodySecret !== undefined)
      throw new InvalidRequestError('Use one client authentication method, not both Basic and client_secret')
    if (assertion !== undefined)
      throw new InvalidRequestError(
        'Use one client authentication method, not both Basic and client_assertion',
      )
    const basic = parseBasic(authorization)
    if (bodyId !== undefined && bodyId !== basic.clientId)
      throw new InvalidRequestError('client_id does not match the Basic credentials')
    const rawSecret = basic.rawSecret === basic.secret ? undefined : basic.rawSecret
    return { clientId: basic.clientId, secret: basic.secret, rawSecret, method: 'client_secret_basic' }
  }
  if (assertion !== undefined) {
    if (bodySecret !== undefined)
      throw new InvalidRequestError(
        'Use one client authentication method, not both client_secret and client_assertion',
      )
    const subject = assertionSubject(assertion)
    if (bodyId !== undefined && bodyId !== subject)
      throw new InvalidClientError('client_id does not match the subject of the client_assertion')
    return { clientId: subject, secret: undefined, assertion, method: 'private_key_jwt' }
  }
  if (bodyId === undefined)
    throw new InvalidClientError('Client authentication is required (client_id is missing)')
  if (bodySecret !== undefined) return { clientId: bodyId, secret: bodySecret, method: 'client_secret_post' }
  return { clientId: bodyId, secret: undefined, method: 'none' }
}

/**
 * RFC 7591 §2: a registered `token_endpoint_auth_method` is the method the client uses; a secret
 * registered for Basic is refused in the body and vice versa, so a secret leaked in one channel
 * (a logged form body) is not enough. Clients the operator configured declare no method: either
 * secret method is accepted for them.
 */
function checkRegisteredMethod(
  credentials: PresentedCredentials,
  client: ClientRecord,
  directory: ClientDirectory,
): void {
  if (directory.isPreRegistered(client.clientId)) return
  if (credentials.method !== client.tokenEndpointAuthMethod) {
    throw new InvalidClientError(
      `This client registered token_endpoint_auth_method ${client.tokenEndpointAuthMethod}; authenticate with it`,
      `client ${client.clientId} used ${credentials.method}`,
    )
  }
}

/**
 * Authenticates the client (RFC 6749 §2.3): it must exist, a confidential client must prove its
 * secret by Basic or post, and a public client must not send one. Every failure is 401
 * `invalid_client`, so an SDK client whose registration was lost registers again (MCP-NOTES A.4).
 * A client known by its metadata document is authenticated by its document instead, with a
 * `private_key_jwt` assertion when it declares one; `audiences` are the `aud` values it may use.
 */
export async function authenticateClient(
  credentials: PresentedCredentials,
  directory: ClientDirectory,
  now: number,
  audiences: readonly string[] = [],
): Promise<ClientRecord> {
  // A URL client_id: the client of a metadata document (no secret; none or private_key_jwt).
  const documents = directory.metadataDocumentsFor(credentials.clientId)
  if (documents) return authenticateMetadataClient(documents, credentials, audiences, now)
  if (credentials.method === 'private_key_jwt')
    throw new InvalidClientError('Only clients identified by a metadata document may use a client_assertion')
  const client = await directory.find(credentials.clientId)
  if (!client)
    throw new InvalidClientError('Unknown client', `client ${credentials.clientId} is not registered`)
  const expectedHash = client.clientSecretHash
  if (expectedHash === undefined) {
    if (credentials.secret !== undefined)
      throw new InvalidClientError('This client is public and has no secret')
    return client
  }
  if (credentials.secret === undefined)
    throw new InvalidClientError('This client must authenticate with its secret')
  checkRegisteredMethod(credentials, client, directory)
  const presented = [credentials.secret, credentials.rawSecret].filter((secret) => secret !== undefined)
  if (!presented.some((secret) => safeEqual(sha256(secret), expectedHash))) {
    throw new InvalidClientError('Client authentication failed', `wrong secret for client ${client.clientId}`)
  }
  if (client.secretExpiresAt !== 0 && client.secretExpiresAt <= now)
    throw new InvalidClientError('The client secret has expired')
  return client
}
