import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { describe, test } from 'node:test'
import { sha256 } from '../src/crypto.js'
import * as sourceOAuthErrors from '../src/errors/oauth-error.js'
import { isUpstreamError } from '../src/errors/upstream-error.js'
import * as source from '../src/index.js'
import { MemoryStore, type OAuthStore, type UpstreamProvider } from '../src/index.js'
import * as sourceStoreKit from '../src/store-kit/index.js'
import { Harness } from './helpers/harness.js'

type Core = typeof import('../src/index.js')
type StoreKit = typeof import('../src/store-kit/index.js')
type OAuthErrors = typeof import('../src/errors/oauth-error.js')

/**
 * A second copy of auth-core in the same process: the built `dist/` (turbo builds it before the
 * tests), as an app gets when a provider or store package resolves its own copy of core.
 */
const distEntry = new URL('../dist/index.js', import.meta.url)
if (!existsSync(distEntry))
  throw new Error('build @mxcp/auth-core first (pnpm --filter @mxcp/auth-core build)')
const other = (await import(distEntry.href)) as Core
const otherStoreKit = (await import(new URL('../dist/store-kit/index.js', import.meta.url).href)) as StoreKit
const otherOAuthErrors = (await import(
  new URL('../dist/errors/oauth-error.js', import.meta.url).href
)) as OAuthErrors

/** A memory store whose calls fail, once `down`, with the other copy's `StoreUnavailableError`. */
function storeDownIn(copy: Core): { store: OAuthStore; down: () => void } {
  const inner = new MemoryStore()
  let isDown = false
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver)
      if (typeof value !== 'function' || property === 'close' || property === 'sweepExpired') return value
      return (...args: unknown[]) =>
        isDown
          ? Promise.reject(new copy.StoreUnavailableError('database is locked'))
          : (value as (...a: unknown[]) => unknown).apply(target, args)
    },
  })
  return { store, down: () => (isDown = true) }
}

/** The provider, failing user info (and refresh) with the other copy's `failure` once `failing`. */
function providerFailingWith(failure: () => Error): {
  wrap: (provider: UpstreamProvider) => UpstreamProvider
  fail: () => void
} {
  let failing = false
  return {
    fail: () => (failing = true),
    wrap: (provider) => ({
      ...provider,
      userInfo: (tokens) => (failing ? Promise.reject(failure()) : provider.userInfo(tokens)),
      refresh: (tokens) =>
        failing ? Promise.reject(failure()) : (provider.refresh?.(tokens) ?? Promise.reject(failure())),
    }),
  }
}

describe('errors are recognised across two copies of auth-core', () => {
  test('the two copies are distinct modules, so only the brand can join them', () => {
    assert.notEqual(other.StoreUnavailableError, source.StoreUnavailableError)
  })

  test('instanceof and is() accept the other copy’s instances of every branded class', () => {
    const cases: [Error, abstract new (...args: never[]) => Error][] = [
      [new other.StoreUnavailableError('down'), source.StoreUnavailableError],
      [new other.SessionEndedError('gone'), source.SessionEndedError],
      [new other.ConfigError('bad'), source.ConfigError],
      [new otherStoreKit.UnsealError('no'), sourceStoreKit.UnsealError],
      [new other.UpstreamOAuthError('github', 'invalid_grant'), source.UpstreamOAuthError],
      [new other.UpstreamOAuthError('github', 'invalid_grant'), source.UpstreamError],
      [new other.UpstreamUnavailableError('github', 'timeout'), source.UpstreamUnavailableError],
      [new other.UpstreamResponseError('github', 'not JSON'), source.UpstreamResponseError],
      [new other.UpstreamAccountRefusedError('atlassian', 'no site'), source.UpstreamOAuthError],
      [new other.UpstreamAccountRefusedError('atlassian', 'no site'), source.UpstreamAccountRefusedError],
      [new other.UpstreamIdentityChangedError('oidc', 'sub'), source.UpstreamIdentityChangedError],
      [new otherOAuthErrors.InvalidGrantError('used'), sourceOAuthErrors.InvalidGrantError],
      [new otherOAuthErrors.InvalidGrantError('used'), source.OAuthError],
    ]
    for (const [error, errorClass] of cases) {
      assert.ok(error instanceof errorClass, `${error.name} instanceof ${errorClass.name}`)
    }
    assert.ok(source.StoreUnavailableError.is(new other.StoreUnavailableError('down')))
    assert.ok(source.UpstreamError.is(new other.UpstreamUnavailableError('github', 'timeout')))
    assert.ok(isUpstreamError(new other.UpstreamResponseError('github', 'bad')))
  })

  test('the brand does not confuse kinds, nor accept look-alikes', () => {
    const oauth = new other.UpstreamOAuthError('github', 'invalid_grant')
    assert.equal(oauth instanceof source.UpstreamUnavailableError, false)
    assert.equal(oauth instanceof source.StoreUnavailableError, false)
    assert.equal(
      new otherOAuthErrors.InvalidGrantError('x') instanceof sourceOAuthErrors.InvalidClientError,
      false,
    )
    const lookAlike = Object.assign(new Error('down'), { name: 'StoreUnavailableError' })
    assert.equal(lookAlike instanceof source.StoreUnavailableError, false)
    assert.equal(source.StoreUnavailableError.is(lookAlike), false)
    assert.equal(source.StoreUnavailableError.is(null), false)
    assert.equal(source.StoreUnavailableError.is('StoreUnavailableError'), false)
  })

  test('a store outage thrown by the other copy is a 503 at the guard and the token endpoint, not a 500', async () => {
    const { store, down } = storeDownIn(other)
    const h = await Harness.start({ store })
    try {
      const issued = await h.issue()
      down()
      const call = await h.call(issued.accessToken)
      assert.equal(call.statusCode, 503)
      assert.equal(call.json().error, 'temporarily_unavailable')
      const refresh = await h.token({
        grant_type: 'refresh_token',
        refresh_token: issued.refreshToken,
        client_id: issued.client.clientId,
      })
      assert.equal(refresh.statusCode, 503)
    } finally {
      await h.close()
    }
  })

  test('a dead upstream token reported by the other copy ends the session (401), not a 500', async () => {
    const failing = providerFailingWith(() => new other.UpstreamOAuthError('github', 'invalid_grant'))
    const h = await Harness.start({ wrapProvider: failing.wrap })
    try {
      const issued = await h.issue()
      const sessionId = (await h.store.getToken(sha256(issued.accessToken)))?.sessionId ?? ''
      failing.fail()
      h.clock.advance(300_000)
      const call = await h.call(issued.accessToken)
      assert.equal(call.statusCode, 401)
      assert.match(String(call.headers['www-authenticate']), /error="invalid_token"/)
      assert.equal(await h.store.getSession(sessionId), undefined, 'the session ended')
    } finally {
      await h.close()
    }
  })

  test('a provider outage reported by the other copy is a 503, and the session lives', async () => {
    const failing = providerFailingWith(() => new other.UpstreamUnavailableError('github', 'timeout', 502))
    const h = await Harness.start({ wrapProvider: failing.wrap, auth: { stale_cache_ttl: 0 } })
    try {
      const issued = await h.issue()
      const sessionId = (await h.store.getToken(sha256(issued.accessToken)))?.sessionId ?? ''
      failing.fail()
      h.clock.advance(300_000)
      const call = await h.call(issued.accessToken)
      assert.equal(call.statusCode, 503)
      assert.notEqual(await h.store.getSession(sessionId), undefined, 'the session lives')
    } finally {
      await h.close()
    }
  })
})
