import { ConfigError } from './config-error.js'

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost'])

/**
 * An endpoint URL option, or its default. Our client secret and the user's tokens travel to
 * these URLs, so anything but `https:` is refused, except on loopback (tests, local stand-ins).
 */
export function endpointUrl(
  provider: string,
  key: string,
  value: string | undefined,
  fallback: string,
): string {
  if (value === undefined || value === '') return fallback
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ConfigError(`${provider}.${key} is not a URL`)
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)))
    return value
  throw new ConfigError(`${provider}.${key} must be an https URL (http is allowed on loopback only)`)
}
