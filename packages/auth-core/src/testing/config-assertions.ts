import assert from 'node:assert/strict'
import { ConfigError } from '../config/config-error.js'

/**
 * Asserts that `build` fails at start-up with a `ConfigError` whose message is exactly `message`:
 * the one line an operator reads about a configuration that cannot work.
 */
export function assertConfigError(build: () => unknown, message: string): void {
  assert.throws(build, (error: unknown) => error instanceof ConfigError && error.message === message)
}
