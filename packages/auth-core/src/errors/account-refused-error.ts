import { brandError } from './brand.js'
import { UpstreamOAuthError } from './upstream-error.js'

/**
 * The provider signed the user in, but their account cannot use this server through it (Atlassian:
 * the app is installed on none of the user's sites). An `access_denied` with words for the user:
 * the MCP client hears `userMessage`, the session (if any) ends.
 */
export class UpstreamAccountRefusedError extends UpstreamOAuthError {
  readonly userMessage: string
  constructor(provider: string, userMessage: string, options?: ErrorOptions) {
    super(provider, 'access_denied', userMessage, options)
    this.userMessage = userMessage
  }
}

brandError(UpstreamAccountRefusedError, 'upstream.account-refused')
