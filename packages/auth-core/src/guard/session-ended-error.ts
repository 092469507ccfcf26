/** The session behind a token is gone or was ended (upstream token dead, allowlist, expiry). */
export class SessionEndedError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SessionEndedError'
  }
}
