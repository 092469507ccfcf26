import type { FastifyReply, FastifyRequest } from 'fastify'

/** Our browser cookies: the consent nonce (CSRF) and the login binding of upstream transactions. */
export type CookiePurpose = 'consent' | 'login'

const NAMES: Readonly<Record<CookiePurpose, string>> = { consent: 'mxcp_consent', login: 'mxcp_login' }

/** A cookie value we issued: 256 random bits, base64url. */
const COOKIE_VALUE = /^[A-Za-z0-9_-]{43}$/

/**
 * The cookie's name for a base URL. Over https it carries the `__Host-` prefix (MCP SBP 2.1.5.2:
 * "Use `__Host-` prefix", `Secure`); plain http is only possible on loopback, where a `Secure`
 * cookie could not be set, so the prefix is left off there.
 */
export function cookieName(purpose: CookiePurpose, baseUrl: string): string {
  return baseUrl.startsWith('https:') ? `__Host-${NAMES[purpose]}` : NAMES[purpose]
}

/** Our cookie from the request, if it is well formed. */
export function readCookie(
  request: FastifyRequest,
  purpose: CookiePurpose,
  baseUrl: string,
): string | undefined {
  const value = request.cookies?.[cookieName(purpose, baseUrl)]
  return value && COOKIE_VALUE.test(value) ? value : undefined
}

/** Sets one of our cookies: host-only, path `/`, `HttpOnly`, `SameSite=Lax`, `Secure` over https. */
export function setCookie(
  reply: FastifyReply,
  purpose: CookiePurpose,
  baseUrl: string,
  value: string,
  maxAgeMs: number,
): void {
  reply.setCookie(cookieName(purpose, baseUrl), value, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: baseUrl.startsWith('https:'),
    maxAge: Math.floor(maxAgeMs / 1000),
  })
}
