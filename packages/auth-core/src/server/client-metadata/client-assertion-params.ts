import { decodeJwt } from 'jose'
import { InvalidClientError, InvalidRequestError } from '../../errors/oauth-error.js'
import type { ParamReader } from '../../http/params.js'
import { JWT_BEARER_ASSERTION_TYPE } from './client-assertion.js'

/**
 * `client_assertion` and `client_assertion_type` of a token or revocation request (RFC 7521 §4.2),
 * or undefined when neither is sent. Only the JWT bearer type is supported (RFC 7523 §2.2).
 */
export function readClientAssertion(params: ParamReader): string | undefined {
  const assertion = params.optional('client_assertion')
  const type = params.optional('client_assertion_type')
  if (assertion === undefined && type === undefined) return undefined
  if (assertion === undefined)
    throw new InvalidRequestError('client_assertion_type was sent without client_assertion')
  if (type === undefined)
    throw new InvalidRequestError('client_assertion was sent without client_assertion_type')
  if (type !== JWT_BEARER_ASSERTION_TYPE)
    throw new InvalidClientError(`client_assertion_type must be ${JWT_BEARER_ASSERTION_TYPE}`)
  return assertion
}

/**
 * The client an assertion claims to come from (its `sub`, RFC 7523 §3 item 2), read WITHOUT
 * verifying it: only to know which client's keys verify it. The `client_id` parameter may be
 * left out with an assertion (RFC 7521 §4.2).
 */
export function assertionSubject(assertion: string): string {
  let sub: unknown
  try {
    sub = decodeJwt(assertion).sub
  } catch {
    throw new InvalidClientError('The client_assertion is not a JWT')
  }
  if (typeof sub !== 'string' || sub === '')
    throw new InvalidClientError('The client_assertion has no sub claim')
  return sub
}
