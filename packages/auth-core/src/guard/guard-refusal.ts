/** Why the guard refuses a request, with everything the 401/403 response needs. */
export class GuardRefusal extends Error {
  readonly status: 401 | 403
  /** RFC 6750 §3.1 code; undefined when the request carried no token at all. */
  readonly error: 'invalid_request' | 'invalid_token' | 'insufficient_scope' | undefined
  readonly description: string
  /** The scopes to ask for, for `insufficient_scope`. */
  readonly scope: string | undefined

  constructor(status: 401 | 403, error: GuardRefusal['error'], description: string, scope?: string) {
    super(description)
    this.name = 'GuardRefusal'
    this.status = status
    this.error = error
    this.description = description
    this.scope = scope
  }
}
