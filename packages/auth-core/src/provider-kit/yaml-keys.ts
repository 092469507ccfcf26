/**
 * The one mapping between the configuration's keys (the guide's snake_case: `client_id`,
 * `token_endpoint_auth_method`) and a provider's options in code (camelCase: `clientId`,
 * `tokenEndpointAuthMethod`). Every provider block goes through it, so no provider spells a
 * YAML key itself.
 */

/** `token_url` → `tokenUrl`. */
export function camelKey(yamlKey: string): string {
  return yamlKey.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase())
}

/** `tokenUrl` → `token_url`. */
export function yamlKey(camel: string): string {
  return camel.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)
}

/** Whether `key` is written as the configuration writes keys (lower snake_case), so it maps both ways. */
export function isYamlKey(key: string): boolean {
  return /^[a-z][a-z0-9_]*$/.test(key) && yamlKey(camelKey(key)) === key
}

/** A camelCase name → its snake_case spelling, at the type level (`tokenUrl` → `token_url`). */
export type YamlKey<Name extends string> = Name extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${YamlKey<Tail>}`
  : Name

/** A provider's options as its configuration block spells them (`{ clientId }` → `{ client_id }`). */
export type YamlBlock<Options> = {
  [Key in keyof Options as Key extends string ? YamlKey<Key> : never]?: Options[Key] | undefined
}

/** Renames the keys of a provider's options to the configuration's spelling. */
export function toYamlBlock(options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(options)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [yamlKey(key), value]),
  )
}
