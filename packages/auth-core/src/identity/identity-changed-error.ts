import { brandError } from '../errors/brand.js'
import { UpstreamResponseError } from '../errors/upstream-error.js'

/**
 * The provider answered about another user than the one signed in: user info whose `sub` is not
 * the ID token's (OIDC Core §5.3.2), or a refreshed ID token with another `sub` or `iss`
 * (§12.2). A bad response (the sign-in fails with `server_error`); on a session, the session ends
 * (`guard/identity-pin.ts`) and nothing from the response is kept.
 */
export class UpstreamIdentityChangedError extends UpstreamResponseError {
  constructor(provider: string, detail: string, options?: ErrorOptions) {
    super(provider, `${provider} answered about another user: ${detail}`, undefined, options)
  }
}

brandError(UpstreamIdentityChangedError, 'upstream.identity-changed')
