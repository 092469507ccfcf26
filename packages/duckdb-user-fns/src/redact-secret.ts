/** What a secret is replaced with in an error. */
export const REDACTED = '[REDACTED]'

/**
 * Removes `secret` from a thrown value: the message, the stack and every other string property
 * of an error, its `cause` chain and an AggregateError's `errors`. DuckDB quotes values in its
 * messages (`Could not convert string '<token>' to INT32`), so a query that misuses
 * `get_user_external_token()` would otherwise put the token into whatever logs the error.
 * Errors are edited in place, keeping their class; one that cannot be edited is replaced.
 */
export function redactSecret(thrown: unknown, secret: string): unknown {
  if (secret === '') return thrown
  return redact(thrown, secret, new Set())
}

function redact(value: unknown, secret: string, seen: Set<object>): unknown {
  if (typeof value === 'string') return value.split(secret).join(REDACTED)
  if (typeof value !== 'object' || value === null || seen.has(value)) return value
  seen.add(value)
  if (!(value instanceof Error)) return value
  let editable = true
  for (const key of Object.getOwnPropertyNames(value)) {
    const property: unknown = Reflect.get(value, key)
    const clean = Array.isArray(property)
      ? property.map((item: unknown) => redact(item, secret, seen))
      : redact(property, secret, seen)
    if (clean !== property && !Reflect.set(value, key, clean)) editable = false
  }
  if (editable) return value
  const message = redact(value.message, secret, seen)
  return new Error(typeof message === 'string' ? message : REDACTED)
}
