import { brandError, isInstance } from '../errors/brand.js'
/** The session behind a token is gone or was ended (upstream token dead, allowlist, expiry). */
export class SessionEndedError extends Error {
  /** True for an instance of this class from any copy of `@mxcp/auth-core` (see `errors/brand.ts`). */
  static is<T>(this: abstract new (...args: never[]) => T, value: unknown): value is T {
    // biome-ignore lint/complexity/noThisInStatic: a subclass inherits is() and checks its own class
    return isInstance(this, value)
  }
  constructor(message: string) {
    super(message)
    this.name = 'SessionEndedError'
  }
}

brandError(SessionEndedError, 'session-ended')
