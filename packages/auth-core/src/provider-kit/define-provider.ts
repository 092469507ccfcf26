import Type, { type Static, type TObject } from 'typebox'
import type { ProviderRuntimeOptions, UpstreamProvider } from '../provider.js'
import { type BlockCheck, checkProviderOptions, readProviderBlock } from './provider-block.js'
import type { YamlBlock } from './yaml-keys.js'

/** What a provider's `create` returns: the provider's behaviour. Its id, label and callback path the kit adds. */
export type ProviderBehaviour = Omit<UpstreamProvider, 'id' | 'label' | 'callbackPath'>

/** The options every provider has besides its own: where the plugin routes its callback. */
export interface CommonProviderOptions {
  /** Path of our callback (`callback_path`), default `/<id>/callback`. */
  readonly callbackPath: string
}

/** The options of a schema that have a default (`WithDefault`). */
type DefaultedKeys<Schema extends TObject> = {
  [Key in keyof Schema['properties']]: Schema['properties'][Key] extends { readonly default: unknown }
    ? Key
    : never
}[keyof Schema['properties']]

/** The options a provider is built from: checked, with every default filled (those options are set). */
export type ProviderSettings<Schema extends TObject> = Omit<Static<Schema>, DefaultedKeys<Schema>> & {
  readonly [Key in DefaultedKeys<Schema> & keyof Static<Schema>]-?: Exclude<Static<Schema>[Key], undefined>
}

/** What a provider package declares: its id, its options and how to build it from them. */
export interface ProviderSpec<Schema extends TObject> {
  /** The `auth.provider` value, and the key of its configuration block. */
  readonly id: string
  /** Human name for messages: `GitHub`. */
  readonly label: string
  /** The provider's own options, in camelCase, with their defaults (typebox). */
  readonly schema: Schema
  /**
   * The options it cannot work without (default `clientId`, `clientSecret`): a list, or a
   * function of the configured options (a key instead of a secret under `private_key_jwt`).
   */
  readonly required?:
    | readonly (keyof Static<Schema> & string)[]
    | ((options: Static<Schema>) => readonly (keyof Static<Schema> & string)[])
  /**
   * Builds the provider from checked options (defaults filled) and the plugin's runtime: its
   * `clock`, `fetch` and logger. Throws `ConfigError`/`Error` for options it cannot use.
   */
  create(options: ProviderSettings<Schema>, runtime: ProviderRuntimeOptions): ProviderBehaviour
}

/** The options of a provider in code: its own (as its schema declares them) and the common ones. */
export type ProviderOptions<Schema extends TObject> = Static<Schema> & Partial<CommonProviderOptions>

/** A provider's configuration block as the configuration writes it (snake_case keys). */
export type ProviderConfig<Schema extends TObject> = YamlBlock<ProviderOptions<Schema>>

/**
 * A provider package's export: call it with a configuration block (`auth.<id>`, snake_case) to
 * get the provider, or use `fromOptions` with camelCase options in code. `readBlock` checks a
 * block alone (the configuration loader uses it); a `ProviderRegistry` holds definitions.
 */
export interface ProviderDefinition<Schema extends TObject = TObject> {
  (block?: YamlBlock<ProviderOptions<Schema>> | null, runtime?: ProviderRuntimeOptions): UpstreamProvider
  readonly id: string
  readonly label: string
  /** The options' schema as configured: the provider's own plus `callbackPath`. */
  readonly schema: TObject
  /**
   * Checks a configuration block and returns its options (camelCase, defaults filled). `path`
   * (default the id) and `source` are where problems say they are.
   */
  readBlock(
    block: unknown,
    path?: string,
    source?: string,
    check?: BlockCheck,
  ): Static<Schema> & CommonProviderOptions
  /** Builds the provider from options in code (camelCase); they are checked as a block is. */
  fromOptions(options: ProviderOptions<Schema>, runtime?: ProviderRuntimeOptions): UpstreamProvider
}

const CLIENT_CREDENTIALS = ['clientId', 'clientSecret'] as const

/** Whether `value` is a provider definition made by `defineProvider` (for modules loaded by name). */
export function isProviderDefinition(value: unknown): value is ProviderDefinition {
  return (
    typeof value === 'function' &&
    typeof Reflect.get(value, 'id') === 'string' &&
    typeof Reflect.get(value, 'readBlock') === 'function' &&
    typeof Reflect.get(value, 'fromOptions') === 'function'
  )
}

/**
 * Declares an identity provider: its id, label, option schema (camelCase) and factory. The kit
 * maps the configuration's keys onto the options, checks them with the same messages for every
 * provider, adds the common `callback_path` option (the plugin routes the callback), and gives
 * the factory the plugin's clock, `fetch` and logger.
 */
export function defineProvider<Schema extends TObject>(
  spec: ProviderSpec<Schema>,
): ProviderDefinition<Schema> {
  const schema = Type.Object(
    {
      ...spec.schema.properties,
      callbackPath: Type.Optional(Type.String({ pattern: '^/', default: `/${spec.id}/callback` })),
    },
    { additionalProperties: false },
  )
  const required = spec.required ?? CLIENT_CREDENTIALS
  const rules = {
    id: spec.id,
    label: spec.label,
    schema,
    required: (options: Readonly<Record<string, unknown>>) =>
      typeof required === 'function' ? required(options as Static<Schema>) : required,
  }
  type Checked = Static<Schema> & CommonProviderOptions

  const build = (options: Checked, runtime: ProviderRuntimeOptions = {}): UpstreamProvider => {
    const { callbackPath, ...own } = options
    const behaviour = spec.create(own as unknown as ProviderSettings<Schema>, runtime)
    return Object.assign(behaviour, { id: spec.id, label: spec.label, callbackPath })
  }
  const readBlock = (block: unknown, path: string = spec.id, source?: string, check?: BlockCheck): Checked =>
    readProviderBlock<Checked>(rules, block, path, source, check)
  const fromBlock = (block?: unknown, runtime?: ProviderRuntimeOptions): UpstreamProvider =>
    build(readBlock(block), runtime)
  return Object.assign(fromBlock, {
    id: spec.id,
    label: spec.label,
    schema,
    readBlock,
    fromOptions: (options: ProviderOptions<Schema>, runtime?: ProviderRuntimeOptions) =>
      build(checkProviderOptions<Checked>(rules, options, spec.id, 'provider options'), runtime),
  })
}
