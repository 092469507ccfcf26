import { ConfigError } from '@mxcp/auth-core'
import { DefinitionError } from '../definitions/definition-error.js'

/** The lines that explain a start-up failure: every problem of a config or definition error. */
export function describeFailure(error: unknown): string {
  if (error instanceof DefinitionError) return error.message
  if (error instanceof ConfigError) return `Invalid configuration: ${error.message}`
  return error instanceof Error ? error.message : String(error)
}
