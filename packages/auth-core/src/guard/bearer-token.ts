/** What the `Authorization` header holds. */
export type PresentedBearer =
  | { readonly kind: 'none' }
  | { readonly kind: 'malformed' }
  | { readonly kind: 'token'; readonly token: string }

/** RFC 6750 §2.1: `Bearer` SP b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i

/**
 * Reads a bearer token from the `Authorization` header (the only place we accept one:
 * `bearer_methods_supported: ["header"]`). Another scheme counts as no token (RFC 6750 §3.1).
 */
export function readBearer(authorization: string | undefined): PresentedBearer {
  if (!authorization || !/^bearer(?: |$)/i.test(authorization)) return { kind: 'none' }
  const token = BEARER.exec(authorization)?.[1]
  return token ? { kind: 'token', token } : { kind: 'malformed' }
}

/** True when the query string carries `access_token` (RFC 6750 §2.3), which we never accept. */
export function hasQueryToken(query: unknown): boolean {
  return typeof query === 'object' && query !== null && Object.hasOwn(query, 'access_token')
}
