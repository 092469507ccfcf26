import { brandError, isInstance } from '../errors/brand.js'
import type { GuardAnswer } from './guard-responses.js'

/**
 * What `mxcpVerify` throws instead of answering (for `@fastify/auth`, which tries the next
 * strategy on an error): the status, the RFC 6750 `WWW-Authenticate` challenge (or `Retry-After`)
 * in `headers`, which Fastify's error handler sends, and the JSON body the guard would have sent.
 */
export class BearerRejectedError extends Error {
  /** True for an instance of this class from any copy of `@mxcp/auth-core` (see `errors/brand.ts`). */
  static is<T>(this: abstract new (...args: never[]) => T, value: unknown): value is T {
    // biome-ignore lint/complexity/noThisInStatic: a subclass inherits is() and checks its own class
    return isInstance(this, value)
  }
  readonly statusCode: 401 | 403 | 503
  readonly headers: Readonly<Record<string, string>>
  readonly body: GuardAnswer['body']
  constructor(answer: GuardAnswer) {
    super(answer.body.error_description)
    this.name = 'BearerRejectedError'
    this.statusCode = answer.statusCode
    this.headers = answer.headers
    this.body = answer.body
  }
}

brandError(BearerRejectedError, 'bearer-rejected')
