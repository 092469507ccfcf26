import assert from 'node:assert/strict'

/** The module of a provider package, as `import * as pkg from '@mxcp/provider-…'` gives it. */
export interface ProviderPackageModule {
  readonly default: unknown
  readonly provider: unknown
  readonly id: unknown
}

/**
 * Asserts that a provider package exports its factory as default and as `provider`, and the
 * `auth.provider` value it serves as `id`: what a server needs to load the package by name.
 */
export function assertProviderExports(pkg: ProviderPackageModule, factory: unknown, id: string): void {
  assert.equal(pkg.default, factory)
  assert.equal(pkg.provider, factory)
  assert.equal(pkg.id, id)
}
