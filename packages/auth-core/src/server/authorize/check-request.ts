import { MAX_STATE_LENGTH } from '../../defaults.js'
import {
  InvalidRequestError,
  InvalidScopeError,
  InvalidTargetError,
  UnauthorizedClientError,
  UnsupportedResponseTypeError,
} from '../../errors/oauth-error.js'
import type { ParamReader } from '../../http/params.js'
import { isS256Challenge } from '../../oauth/pkce.js'
import { isSameResource } from '../../oauth/resource.js'
import { missingScopes, parseScope } from '../../oauth/scopes.js'
import type { ClientRecord } from '../../store/records.js'

/** `state`, at most `MAX_STATE_LENGTH` characters; undefined when absent. */
export function readState(params: ParamReader): string | undefined {
  const state = params.optional('state')
  if (state !== undefined && state.length > MAX_STATE_LENGTH) {
    throw new InvalidRequestError(`The state parameter is longer than ${MAX_STATE_LENGTH} characters`)
  }
  return state
}

/** RFC 6749 §4.1.1: only the authorization code flow. */
export function checkResponseType(params: ParamReader): void {
  const responseType = params.optional('response_type')
  if (responseType === undefined) throw new InvalidRequestError('The response_type parameter is required')
  if (responseType !== 'code') throw new UnsupportedResponseTypeError('Only response_type=code is supported')
}

/** The client may use the authorization code grant at all. */
export function checkGrantAllowed(client: ClientRecord): void {
  if (!client.grantTypes.includes('authorization_code')) {
    throw new UnauthorizedClientError('This client is not allowed to use the authorization code flow')
  }
}

/** PKCE is required, with S256 only (OAuth 2.1 §4.1.1, MCP authorization §11.4). Returns the challenge. */
export function checkPkce(params: ParamReader): string {
  const challenge = params.optional('code_challenge')
  if (challenge === undefined)
    throw new InvalidRequestError('PKCE is required: send code_challenge with code_challenge_method=S256')
  if (params.optional('code_challenge_method') !== 'S256')
    throw new InvalidRequestError('code_challenge_method must be S256')
  if (!isS256Challenge(challenge))
    throw new InvalidRequestError('code_challenge is not a valid S256 challenge')
  return challenge
}

/**
 * The scopes to grant: the requested ones, each allowed for this client (RFC 6749 §3.3), or
 * every scope of the client when none is requested.
 */
export function checkScope(params: ParamReader, client: ClientRecord): string[] {
  const requested = params.optional('scope')
  if (requested === undefined) return [...client.scopes]
  const scopes = parseScope(requested)
  if (scopes.length === 0) return [...client.scopes]
  const missing = missingScopes(scopes, client.scopes)
  if (missing.length > 0) throw new InvalidScopeError(`This client may not request: ${missing.join(' ')}`)
  return scopes
}

/**
 * RFC 8707 §2: a `resource`, when sent, must be our MCP URL (MCP authorization §8); it may be
 * left out (the SDK omits it when resource metadata discovery failed). Returns the canonical URL.
 */
export function checkResource(params: ParamReader, canonical: string): string {
  const resource = params.optional('resource')
  if (resource !== undefined && !isSameResource(resource, canonical)) {
    throw new InvalidTargetError(`This server only issues tokens for ${canonical}`)
  }
  return canonical
}
