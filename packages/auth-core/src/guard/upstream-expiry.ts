import type { UpstreamTokens } from '../provider.js'

/** Default of `auth.upstream_refresh_skew_seconds`: refresh this long before the token dies. */
export const DEFAULT_UPSTREAM_REFRESH_SKEW_S = 60

/**
 * What the guard does with a session's upstream token before serving it:
 * - `use`: alive (or of unknown lifetime, like a classic GitHub token) for longer than the skew;
 * - `refresh`: it dies within the skew (or has died) and can be refreshed: refresh it first, so
 *   SQL never receives a token about to expire;
 * - `dead`: it has expired and cannot be refreshed: the session ends (401 `invalid_token`); an
 *   expired token is never handed to SQL.
 */
export function upstreamTokenAction(
  upstream: UpstreamTokens,
  now: number,
  skewMs: number,
  canRefresh: boolean,
): 'use' | 'refresh' | 'dead' {
  if (upstream.expiresAt === undefined) return 'use'
  if (upstream.expiresAt - skewMs > now) return 'use'
  if (canRefresh) return 'refresh'
  return upstream.expiresAt <= now ? 'dead' : 'use'
}
