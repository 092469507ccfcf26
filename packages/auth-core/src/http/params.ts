import { InvalidRequestError } from '../errors/oauth-error.js'

/**
 * Reads OAuth parameters from a parsed query string or form body, by the rules of RFC 6749
 * §3.1: a parameter sent without a value is treated as omitted, and a parameter must not be
 * sent more than once (`invalid_request`).
 */
export class ParamReader {
  readonly #source: Readonly<Record<string, unknown>>

  constructor(source: unknown) {
    this.#source =
      typeof source === 'object' && source !== null && !Array.isArray(source)
        ? (source as Record<string, unknown>)
        : {}
  }

  /** True when the parameter is present with a non-empty value. */
  has(name: string): boolean {
    return this.optional(name) !== undefined
  }

  /** The value, or undefined when absent or empty. Throws `invalid_request` when repeated. */
  optional(name: string): string | undefined {
    if (!Object.hasOwn(this.#source, name)) return undefined
    const value = this.#source[name]
    if (Array.isArray(value)) throw new InvalidRequestError(`The ${name} parameter is repeated`)
    if (typeof value !== 'string') throw new InvalidRequestError(`The ${name} parameter is not a string`)
    return value === '' ? undefined : value
  }

  /** The value; throws `invalid_request` when absent, empty or repeated. */
  required(name: string): string {
    const value = this.optional(name)
    if (value === undefined) throw new InvalidRequestError(`The ${name} parameter is required`)
    return value
  }
}
