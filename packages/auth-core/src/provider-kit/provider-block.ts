import type { TObject } from 'typebox'
import { ConfigError } from '../config/config-error.js'
import { validateWithSchema } from '../config/validate.js'
import { camelKey, isYamlKey, yamlKey } from './yaml-keys.js'

/** What `readProviderBlock` needs to know of a provider. */
export interface ProviderBlockRules {
  readonly id: string
  /** Human name for messages: `GitHub`. */
  readonly label: string
  /** The provider's options in camelCase, with their defaults. */
  readonly schema: TObject
  /** The options it cannot work without, given the options as configured. */
  readonly required: (options: Readonly<Record<string, unknown>>) => readonly string[]
}

/** How much of a block to check: `complete: false` skips the required options (a provider not in use). */
export interface BlockCheck {
  readonly complete?: boolean | undefined
}

function isBlank(value: unknown): boolean {
  return typeof value !== 'string' || value.trim() === ''
}

/**
 * Checks options (already camelCase) against the provider's schema, fills its defaults, and
 * checks that every required option is set. Problems name the configuration's keys:
 * `auth.github.scope: expected string`, `GitHub OAuth configuration is incomplete: missing
 * github.client_id, github.client_secret`.
 */
export function checkProviderOptions<Options>(
  rules: ProviderBlockRules,
  options: Readonly<Record<string, unknown>>,
  path: string,
  source: string,
  check: BlockCheck = {},
): Options {
  const checked = validateWithSchema<Record<string, unknown>>(rules.schema, options, path, source, yamlKey)
  if (check.complete === false) return checked as Options
  const missing = rules.required(checked).filter((option) => isBlank(checked[option]))
  if (missing.length > 0) {
    const fields = missing.map((option) => `${rules.id}.${yamlKey(option)}`).join(', ')
    throw new ConfigError(`${rules.label} OAuth configuration is incomplete: missing ${fields}`)
  }
  return checked as Options
}

/**
 * Reads a provider's configuration block (`auth.<id>`, snake_case as the guide writes it) into
 * its options (camelCase, defaults filled): the one place where the YAML keys map onto a
 * provider's options. `null` (a block holding only a comment) is an empty block.
 */
export function readProviderBlock<Options>(
  rules: ProviderBlockRules,
  block: unknown,
  path: string = rules.id,
  source = 'auth config',
  check: BlockCheck = {},
): Options {
  const raw = block ?? {}
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw ConfigError.many(source, [`${path}: expected object`])
  const notYaml = Object.keys(raw).filter((key) => !isYamlKey(key))
  if (notYaml.length > 0)
    throw ConfigError.many(
      source,
      notYaml.map((key) => `${path}.${key}: unknown key`),
    )
  // An empty value (`${VAR}` set to "") is as if the key were absent: the default applies.
  const options = Object.fromEntries(
    Object.entries(raw)
      .filter(([, value]) => value !== '')
      .map(([key, value]) => [camelKey(key), value]),
  )
  return checkProviderOptions<Options>(rules, options, path, source, check)
}
