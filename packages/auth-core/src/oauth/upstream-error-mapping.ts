import { UpstreamAccountRefusedError } from '../errors/account-refused-error.js'
import {
  AccessDeniedError,
  type OAuthError,
  ServerError,
  TemporarilyUnavailableError,
} from '../errors/oauth-error.js'
import type { UpstreamError } from '../errors/upstream-error.js'

/**
 * What the MCP client hears when the identity provider fails (RFC 6749 §4.1.2.1): the provider
 * refused → `access_denied`; it could not be reached → `temporarily_unavailable`; it answered
 * something unusable → `server_error`. The provider's own wording goes to the log only.
 */
export function oauthErrorForUpstream(error: UpstreamError, label: string): OAuthError {
  switch (error.kind) {
    case 'oauth':
      if (error instanceof UpstreamAccountRefusedError)
        return new AccessDeniedError(error.userMessage, error.message, { cause: error })
      return new AccessDeniedError(`${label} did not authorize the sign-in`, error.message, { cause: error })
    case 'unavailable':
      return new TemporarilyUnavailableError(
        `${label} could not be reached; try again shortly`,
        error.message,
        { cause: error },
      )
    case 'response':
      return new ServerError(`${label} sent an answer the server could not use`, error.message, {
        cause: error,
      })
  }
}
