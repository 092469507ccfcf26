/**
 * Whether a 403 from a user-info endpoint means "this token lacks a scope the call needs": an
 * RFC 6750 §3.1 `error="insufficient_scope"` challenge (Google), or Salesforce's `No_Oauth_Scope`
 * body (help.salesforce.com "OAuth error codes"). That is a configuration error of ours (the
 * configured `scope` lacks `openid`/`email`/…), not the user refusing or the token dying.
 */
export function isMissingScope(response: Response, body: string): boolean {
  const challenge = response.headers.get('www-authenticate') ?? ''
  return /error="?insufficient_scope/i.test(challenge) || /No_Oauth_Scope|insufficient_scope/i.test(body)
}
