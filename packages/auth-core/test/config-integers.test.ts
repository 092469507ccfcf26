import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigError, validateAuthConfig } from '../src/index.js'

test('cache_ttl: 1.5 is refused as not an integer, never truncated to 1 second', () => {
  assert.throws(
    () => validateAuthConfig({ provider: 'none', cache_ttl: 1.5 }),
    (error: unknown) =>
      error instanceof ConfigError && /auth\.cache_ttl: expected integer/.test(error.message),
  )
})

test('integer keys still take whole numbers, also as strings from an environment variable', () => {
  assert.equal(validateAuthConfig({ provider: 'none', cache_ttl: 60 }).cache_ttl, 60)
  assert.equal(validateAuthConfig({ provider: 'none', cache_ttl: '90' }).cache_ttl, 90)
})
