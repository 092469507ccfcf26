import type { AuthContext } from '../auth-context.js'

/** Longest client id a log line repeats (a URL client id may be long; this one is untrusted). */
const MAX_LOGGED_CLIENT_ID = 200

function clientIdOf(source: unknown): string | undefined {
  if (typeof source !== 'object' || source === null) return undefined
  const value = (source as Record<string, unknown>)['client_id']
  return typeof value === 'string' ? value.slice(0, MAX_LOGGED_CLIENT_ID) : undefined
}

/** The log bindings of `/authorize` and `/consent`: the provider, and the client id the request names. */
export function signInBindings(
  context: AuthContext,
  query: unknown,
  body: unknown,
): { provider: string; clientId?: string } {
  const clientId = clientIdOf(body) ?? clientIdOf(query)
  return { provider: context.provider.id, ...(clientId !== undefined && { clientId }) }
}
