/** What a masked value reads as. */
export const MASK = '********'

/**
 * Names that hold secrets: `client_secret`, `encryption_key`, `api_key`, `access_token`,
 * `password`… but not `token_url` or `access_token_ttl`, which name a URL and a lifetime.
 */
const SECRET_NAME = /(secret|password|passwd|credential|private|(^|_)(token|key))$|secret/i

function maskUrlPassword(value: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value
  try {
    const url = new URL(value)
    if (url.password === '') return value
    url.password = MASK
    return url.toString()
  } catch {
    return value
  }
}

/**
 * A deep copy of a configuration with every secret replaced by {@link MASK}: values of keys
 * named like a secret, and passwords inside URLs (`postgres://user:pw@host/db`).
 */
export function maskSecrets(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item, key))
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, maskSecrets(item, name)]))
  }
  if (typeof value === 'string') {
    if (SECRET_NAME.test(key)) return value === '' ? value : MASK
    return maskUrlPassword(value)
  }
  return value
}
