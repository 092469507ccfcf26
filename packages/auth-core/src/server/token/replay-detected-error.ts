import { InvalidGrantError } from '../../errors/oauth-error.js'

/**
 * `invalid_grant` because a used code or a rotated refresh token came back (RFC 6749 §4.1.2,
 * RFC 9700 §4.14.2); its family is already revoked. The token route reports it (warn line and
 * `replay_detected` event) before the error handler answers.
 */
export class ReplayDetectedError extends InvalidGrantError {
  readonly what: 'authorization_code' | 'refresh_token'
  readonly clientId: string
  readonly revokedTokens: number

  constructor(
    what: 'authorization_code' | 'refresh_token',
    clientId: string,
    revokedTokens: number,
    description: string,
  ) {
    const name = what === 'authorization_code' ? 'code replay' : 'refresh token reuse'
    super(description, `${name} for client ${clientId}; ${revokedTokens} live tokens revoked`)
    this.what = what
    this.clientId = clientId
    this.revokedTokens = revokedTokens
  }
}
