import { ConfigError } from './config-error.js'

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g

/**
 * Replaces `${VAR}` in every string of `value` with the environment's value. An unset variable
 * fails with exactly `Environment variable NAME is not set`.
 */
export function interpolate<T>(value: T, env: Readonly<Record<string, string | undefined>>): T {
  if (typeof value === 'string') {
    return value.replace(VARIABLE, (_match, name: string) => {
      const found = env[name]
      if (found === undefined) throw new ConfigError(`Environment variable ${name} is not set`)
      return found
    }) as T
  }
  if (Array.isArray(value)) return value.map((item) => interpolate(item, env)) as T
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, env)])) as T
  }
  return value
}
