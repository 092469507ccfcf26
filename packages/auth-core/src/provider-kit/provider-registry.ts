import { ConfigError } from '../config/config-error.js'
import type { ProviderRuntimeOptions, UpstreamProvider } from '../provider.js'
import type { ProviderDefinition } from './define-provider.js'

/**
 * The identity providers an app can name in `auth.provider`, each registered under its id by
 * its definition (`defineProvider`). The configuration loader checks a provider's block with it,
 * and the plugin builds the provider from it.
 */
export class ProviderRegistry {
  readonly #definitions = new Map<string, ProviderDefinition>()

  constructor(definitions: Iterable<ProviderDefinition> = []) {
    for (const definition of definitions) this.register(definition)
  }

  /** Adds a provider; an id already taken by another definition is an error. */
  register(definition: ProviderDefinition): this {
    const taken = this.#definitions.get(definition.id)
    if (taken && taken !== definition)
      throw new Error(`Two identity providers are registered as "${definition.id}"`)
    this.#definitions.set(definition.id, definition)
    return this
  }

  has(id: string): boolean {
    return this.#definitions.has(id)
  }

  /** The registered ids, in registration order. */
  ids(): string[] {
    return [...this.#definitions.keys()]
  }

  /** The definition registered as `id`; fails naming the registered ones. */
  get(id: string): ProviderDefinition {
    const definition = this.#definitions.get(id)
    if (!definition) throw new ConfigError(`auth.provider: ${unknownProviderMessage(id, this.ids())}`)
    return definition
  }

  /** Builds the provider `id` from its configuration block (checked by the provider's own schema). */
  create(
    id: string,
    block: unknown,
    runtime?: ProviderRuntimeOptions,
    path?: string,
    source?: string,
  ): UpstreamProvider {
    const definition = this.get(id)
    const options = definition.readBlock(block, path, source)
    return definition.fromOptions(options, runtime)
  }
}

/** `"gitlab" is not a registered identity provider (registered: none, github, …)`. */
export function unknownProviderMessage(id: string, registered: readonly string[]): string {
  return `"${id}" is not a registered identity provider (registered: ${['none', ...registered].join(', ')})`
}
