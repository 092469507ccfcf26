import { ConfigError } from '../config/config-error.js'

/** True for `localhost`, 127.0.0.0/8 and `[::1]`: traffic that never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname)
}

/**
 * Checks a configured identity-provider URL (`google.token_url`, `keycloak.server_url`,
 * `oidc.issuer`, …) and returns it. Our client secret and the user's tokens travel there, so it
 * must be `https:`; plain `http:` is accepted on loopback only (a local Keycloak, test stand-ins).
 * OAuth 2.1 §1.5 / RFC 9700 §2.6: no bearer credentials over unencrypted connections.
 */
export function secureEndpointUrl(field: string, value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ConfigError(`${field} is not an absolute URL`)
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) return value
  throw new ConfigError(`${field} must be an https URL (http is accepted on loopback only)`)
}
