import type { ParamReader } from '../../http/params.js'

/** A parameter of the provider's redirect, or undefined when missing, empty or repeated. */
function single(params: ParamReader, name: string): string | undefined {
  try {
    return params.optional(name)
  } catch {
    return undefined
  }
}

/** What the identity provider sent back to our callback (RFC 6749 §4.1.2 / §4.1.2.1). */
export interface CallbackParams {
  /** Our state; a repeated one counts as missing. */
  readonly state: string | undefined
  readonly code: string | undefined
  /** The provider's `error`, reduced to safe characters: it goes to the log. */
  readonly error: string | undefined
  /**
   * The provider's `iss` (RFC 9207 §2); `null` when it was sent more than once or empty (a
   * malformed one, which never equals an issuer), undefined when absent.
   */
  readonly iss: string | null | undefined
  /** The provider's `error_description`: printable characters only, at most 300 (it goes to the log). */
  readonly errorDescription: string | undefined
}

export function readCallbackParams(params: ParamReader): CallbackParams {
  let error: string | undefined
  try {
    error = params
      .optional('error')
      ?.replace(/[^\w.-]/g, '')
      .slice(0, 64)
  } catch {
    error = 'malformed'
  }
  const errorDescription = single(params, 'error_description')
    ?.replace(/[^\x20-\x7e]/g, '')
    .slice(0, 300)
  let iss: string | null | undefined
  try {
    iss = params.optional('iss')
  } catch {
    iss = null
  }
  return { state: single(params, 'state'), code: single(params, 'code'), error, iss, errorDescription }
}
