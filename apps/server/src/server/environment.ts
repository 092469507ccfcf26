import { ConfigError } from '@mxcp/auth-core'

const TRUE = new Set(['1', 'true', 'yes', 'on'])
const FALSE = new Set(['', '0', 'false', 'no', 'off'])

/**
 * `MXCP_READONLY`, as MXCP reads it: a true value (`1`, `true`, `yes`, `on`, any case) opens
 * DuckDB read-only, like `--readonly`; a false or absent one changes nothing (the profile's
 * `readonly` still applies). Anything else is a mistake, refused rather than guessed.
 */
export function readonlyFromEnv(env: Readonly<Record<string, string | undefined>>): true | undefined {
  const text = env['MXCP_READONLY']
  if (text === undefined) return undefined
  const value = text.trim().toLowerCase()
  if (TRUE.has(value)) return true
  if (FALSE.has(value)) return undefined
  throw new ConfigError(`MXCP_READONLY: expected true or false, got "${text}"`)
}
