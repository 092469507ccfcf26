import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { UserContext } from '../src/index.js'
import { Harness } from './helpers/harness.js'

/**
 * The guide: the user context is cached in memory for `cache_ttl`. The callback has just fetched
 * the user, so it hands that profile to the guard's cache: the first request after a sign-in does
 * not ask the provider again. (At rest the profile is sealed like the upstream tokens: see the
 * stores' secrets-at-rest tests.)
 */
test('the sign-in primes the user cache: the first requests after it do not ask the provider again, and the profile is whole', async () => {
  const h = await Harness.start()
  try {
    const issued = await h.issue()
    const userinfo = () => h.idp.requests.filter((request) => request.endpoint === 'userinfo').length
    const fetched = userinfo()
    const first = (await h.call(issued.accessToken)).json<{ user: UserContext }>().user
    assert.equal(first.email, 'alice@example.com')
    assert.equal(first.name, 'Alice Example')
    await h.call(issued.accessToken)
    assert.equal(userinfo(), fetched, 'no user-info call after the one the sign-in made')
    h.clock.advance(301_000)
    await h.call(issued.accessToken)
    assert.equal(userinfo(), fetched + 1, 'past cache_ttl the provider is asked again')
  } finally {
    await h.close()
  }
})
