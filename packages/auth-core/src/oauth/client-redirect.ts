/**
 * The URL that sends the browser back to the client: its redirect URI (keeping any query it was
 * registered with) plus our parameters and `iss`, which RFC 9207 §2 asks for on every
 * authorization response, success or error.
 */
export function clientRedirectUrl(
  redirectUri: string,
  params: Readonly<Record<string, string | undefined>>,
  issuer: string,
): URL {
  const url = new URL(redirectUri)
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.set(key, value)
  }
  url.searchParams.set('iss', issuer)
  return url
}
