import { DEFAULT_SCOPE, MAX_CLIENT_NAME_LENGTH, MAX_REDIRECT_URIS } from '../../defaults.js'
import { InvalidClientMetadataError, InvalidRedirectUriError, OAuthError } from '../../errors/oauth-error.js'
import { redirectUriProblem } from '../../oauth/redirect-uri.js'
import { formatScope, missingScopes, parseScope } from '../../oauth/scopes.js'
import type { TokenEndpointAuthMethod } from '../../store/records.js'

/** The client metadata we accept and echo back (RFC 7591 §2); unknown fields are ignored (§2). */
export interface RegisteredMetadata {
  readonly redirect_uris: string[]
  readonly token_endpoint_auth_method: TokenEndpointAuthMethod
  readonly grant_types: string[]
  readonly response_types: string[]
  readonly scope: string
  readonly client_name?: string
  readonly client_uri?: string
  readonly software_id?: string
  readonly software_version?: string
}

const AUTH_METHODS: readonly TokenEndpointAuthMethod[] = ['none', 'client_secret_post', 'client_secret_basic']
const GRANT_TYPES = ['authorization_code', 'refresh_token']

function stringArray(body: Record<string, unknown>, key: string, fallback: string[]): string[] {
  const value = body[key]
  if (value === undefined) return fallback
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw new InvalidClientMetadataError(`${key} must be an array of strings`)
  }
  return [...new Set(value)]
}

function optionalString(body: Record<string, unknown>, key: string, maxLength = 200): string | undefined {
  const value = body[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw new InvalidClientMetadataError(`${key} must be a string`)
  if (value.length > maxLength)
    throw new InvalidClientMetadataError(`${key} is longer than ${maxLength} characters`)
  return value
}

function redirectUris(body: Record<string, unknown>): string[] {
  const value = body['redirect_uris']
  if (value === undefined) throw new InvalidRedirectUriError('redirect_uris is required')
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((item): item is string => typeof item === 'string')
  ) {
    throw new InvalidRedirectUriError('redirect_uris must be a non-empty array of strings')
  }
  if (value.length > MAX_REDIRECT_URIS)
    throw new InvalidRedirectUriError(`At most ${MAX_REDIRECT_URIS} redirect_uris are accepted`)
  for (const uri of value) {
    const problem = redirectUriProblem(uri)
    if (problem)
      throw new InvalidRedirectUriError(`redirect_uri ${JSON.stringify(uri.slice(0, 200))} ${problem}`)
  }
  return [...new Set(value)]
}

function authMethod(body: Record<string, unknown>): TokenEndpointAuthMethod {
  // RFC 7591 §2: the default is client_secret_basic.
  const method = optionalString(body, 'token_endpoint_auth_method') ?? 'client_secret_basic'
  const known = AUTH_METHODS.find((candidate) => candidate === method)
  if (!known)
    throw new InvalidClientMetadataError(
      `token_endpoint_auth_method must be one of ${AUTH_METHODS.join(', ')}`,
    )
  return known
}

function grantTypes(body: Record<string, unknown>): string[] {
  const grants = stringArray(body, 'grant_types', ['authorization_code'])
  const unknown = grants.filter((grant) => !GRANT_TYPES.includes(grant))
  if (unknown.length > 0)
    throw new InvalidClientMetadataError(`Unsupported grant_types: ${unknown.join(', ')}`)
  if (!grants.includes('authorization_code'))
    throw new InvalidClientMetadataError('grant_types must include authorization_code')
  return grants
}

function responseTypes(body: Record<string, unknown>): string[] {
  const types = stringArray(body, 'response_types', ['code'])
  if (types.length !== 1 || types[0] !== 'code')
    throw new InvalidClientMetadataError('response_types must be ["code"]')
  return types
}

/** The client's scopes: those it asked for, each one we support; by default the base scope and the required ones. */
function scopes(
  body: Record<string, unknown>,
  supported: readonly string[],
  required: readonly string[],
): string[] {
  const requested = optionalString(body, 'scope', 1000)
  let wanted: string[]
  try {
    wanted = requested === undefined ? [] : parseScope(requested)
  } catch (error) {
    if (error instanceof OAuthError) throw new InvalidClientMetadataError('scope is malformed')
    throw error
  }
  if (wanted.length === 0) return [...new Set([DEFAULT_SCOPE, ...required])]
  const unsupported = missingScopes(wanted, supported)
  if (unsupported.length > 0)
    throw new InvalidClientMetadataError(
      `Unsupported scope: ${unsupported.join(' ')} (supported: ${supported.join(' ')})`,
    )
  return wanted
}

function clientName(body: Record<string, unknown>): string | undefined {
  // Control characters could disguise the name on the consent page.
  const name = optionalString(body, 'client_name', MAX_CLIENT_NAME_LENGTH)
    ?.replace(/[\p{Cc}\p{Cf}]/gu, '')
    .trim()
  return name ? name : undefined
}

function clientUri(body: Record<string, unknown>): string | undefined {
  const uri = optionalString(body, 'client_uri', 2000)
  if (uri === undefined) return undefined
  if (!URL.canParse(uri) || new URL(uri).protocol !== 'https:')
    throw new InvalidClientMetadataError('client_uri must be an https URL')
  return uri
}

/**
 * Validates an RFC 7591 registration request: redirect URIs https or http on loopback, no
 * fragments or wildcards (`invalid_redirect_uri`); auth method, grant types, response types and
 * scopes we support (`invalid_client_metadata`).
 */
export function parseClientMetadata(
  body: unknown,
  supportedScopes: readonly string[],
  requiredScopes: readonly string[],
): RegisteredMetadata {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidClientMetadataError('The request body must be a JSON object')
  }
  const record = body as Record<string, unknown>
  const name = clientName(record)
  const uri = clientUri(record)
  const softwareId = optionalString(record, 'software_id')
  const softwareVersion = optionalString(record, 'software_version')
  return {
    redirect_uris: redirectUris(record),
    token_endpoint_auth_method: authMethod(record),
    grant_types: grantTypes(record),
    response_types: responseTypes(record),
    scope: formatScope(scopes(record, supportedScopes, requiredScopes)),
    ...(name !== undefined ? { client_name: name } : {}),
    ...(uri !== undefined ? { client_uri: uri } : {}),
    ...(softwareId !== undefined ? { software_id: softwareId } : {}),
    ...(softwareVersion !== undefined ? { software_version: softwareVersion } : {}),
  }
}
