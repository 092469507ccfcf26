import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { sha256Base64Url } from '@mxcp/auth-core/store-kit'
import { HEADLESS_REDIRECT_URL } from '@mxcp/testing/browser/headless-oauth-client'
import { parseForms, parseMetaRefresh } from '@mxcp/testing/browser/html-form'
import { registerClient } from '@mxcp/testing/browser/oauth-steps'
import type { PathRouter, ReplicaName } from '@mxcp/testing/network/path-router'
import type { GitHubStandIn } from '@mxcp/testing/stand-ins/github'
import { dropSchema, openTestStore, randomSchema } from './support/database.js'
import { type ReplicaPair, startReplicaPair } from './support/replica-servers.js'

// Single use across replicas (issue 15, point 10): two real `mxcp serve` processes on one
// PostgreSQL database, behind a load balancer of ours that sends each request where a test says.
// A consent form used on one is refused on the other, and the rate-limit windows are shared.

const RATE_MAX = 3
let pair: ReplicaPair
let github: GitHubStandIn
let router: PathRouter

before(async () => {
  pair = await startReplicaPair({
    auth: { rate_limit: { enabled: true, max: RATE_MAX, window_seconds: 60 } },
    poolSize: 3,
  })
  ;({ github, router } = pair)
})

after(() => pair?.close())

/** Every request goes to `replica` until told otherwise. */
function sendAllTo(replica: ReplicaName): void {
  router.choose = () => replica
}

/** The `Cookie` header for the cookies an answer set. */
function cookiesOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ')
}

describe('single use across two mxcp serve replicas on one PostgreSQL database', () => {
  test('a consent form approved on one replica is refused on the other; one sign-in starts', async () => {
    sendAllTo('A')
    const client = await registerClient(router.url)
    const verifier = randomBytes(32).toString('base64url')
    const authorize = new URL(`${router.url}/authorize`)
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: HEADLESS_REDIRECT_URL,
      code_challenge: sha256Base64Url(verifier),
      code_challenge_method: 'S256',
      state: 'replica-state',
      resource: `${router.url}/mcp`,
    }).toString()
    const page = await fetch(authorize)
    assert.equal(page.status, 200)
    const cookie = cookiesOf(page)
    const [form] = parseForms(await page.text(), authorize)
    assert.ok(form)
    const body = new URLSearchParams([
      ...form.fields.map(([name, value]): [string, string] => [name, value]),
      ['decision', 'approve'],
    ]).toString()
    const post = () =>
      fetch(`${router.url}/consent`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body,
      })
    const first = await post()
    assert.equal(first.status, 200)
    assert.ok(
      parseMetaRefresh(await first.text(), new URL(`${router.url}/consent`)),
      'A hands over to GitHub',
    )
    sendAllTo('B')
    const replayed = await post()
    assert.equal(replayed.status, 403)
    assert.match(await replayed.text(), /already submitted/)
    assert.equal(github.requests.length, 0, 'nothing reached the identity provider')
  })

  test('the rate-limit window is shared: requests on A and B count against one limit', async () => {
    const guess = async (replica: ReplicaName) => {
      sendAllTo(replica)
      const response = await fetch(`${router.url}/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          token: 'mxcp_rt_guess',
          client_id: 'guess',
          client_secret: 'guess',
        }).toString(),
      })
      await response.body?.cancel()
      return response.status
    }
    const served = [await guess('A'), await guess('B'), await guess('A')]
    assert.deepEqual(served, [401, 401, 401])
    assert.equal(await guess('B'), 429, 'the fourth guess is refused, on the other replica')
    assert.equal(await guess('A'), 429)
  })
})

describe('used client assertion ids across replicas', () => {
  const schema = randomSchema()
  after(() => dropSchema(schema))

  test("a private_key_jwt jti used through one replica's store is refused through another's", async () => {
    const [first, second] = await Promise.all([openTestStore(schema), openTestStore(schema)])
    try {
      const key = `https://app.example.com/client\n${randomBytes(8).toString('hex')}`
      const now = Date.now()
      assert.equal(await first.singleUse.claimOnce('client-assertion-jti', key, now + 60_000, now), true)
      assert.equal(
        await second.singleUse.claimOnce('client-assertion-jti', key, now + 60_000, now + 1),
        false,
      )
    } finally {
      await Promise.all([first.close(), second.close()])
    }
  })
})
