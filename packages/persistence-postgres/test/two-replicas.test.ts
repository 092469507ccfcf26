import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { auth } from '@modelcontextprotocol/sdk/client/auth.js'
import { connectWithOAuth, HeadlessOAuthClient } from '@mxcp/testing/browser/headless-oauth-client'
import {
  authorizationCode,
  callTool,
  field,
  redeemCode,
  refreshTokens,
  registerClient,
} from '@mxcp/testing/browser/oauth-steps'
import type { PathRouter, ReplicaName } from '@mxcp/testing/network/path-router'
import { startTcpProxy, type TcpProxy } from '@mxcp/testing/network/tcp-proxy'
import type { GitHubStandIn } from '@mxcp/testing/stand-ins/github'
import { DATABASE_URL, TEST_KEY } from './support/database.js'
import { type ReplicaPair, startReplicaPair } from './support/replica-servers.js'

// Two real `mxcp serve` processes share one PostgreSQL database (their own, created here and
// dropped after), behind a load balancer of ours that sends each request where a test says.
// Between the replicas and PostgreSQL sits a TCP proxy, so the database can be taken away
// without stopping the PostgreSQL server everyone on this machine shares.

const TRIALS = 50
/** The GitHub user the stand-in logs in; an employee of the example dataset. */
const ADA = {
  id: 1815,
  login: 'ada',
  name: 'Ada Lovelace',
  email: null,
  emails: [{ email: 'ada@example.com', primary: true, verified: true, visibility: 'private' as const }],
  orgs: ['analytical-engines'],
}
const ADA_SEEN_BY_SQL = {
  username: 'ada',
  email: 'ada@example.com',
  provider: 'github',
  employee: 'Ada Lovelace',
}

let pair: ReplicaPair
/** What a test opened that must end before the replicas stop (an MCP client). */
const cleanups: (() => Promise<unknown> | unknown)[] = []
let github: GitHubStandIn
let router: PathRouter
let proxy: TcpProxy
/** The MCP endpoint as clients know it: the load balancer's. */
let mcpUrl: string

function origin(name: ReplicaName): string {
  return pair.origin(name)
}

before(async () => {
  const target = new URL(DATABASE_URL)
  proxy = await startTcpProxy(target.hostname, Number(target.port || 5432))
  pair = await startReplicaPair({
    github: { user: ADA },
    auth: {
      // Hundreds of logins from one address in a minute: the rate limiter is not under test.
      rate_limit: { enabled: false },
      // Strict reuse detection across replicas is under test here; the grace window has its own.
      refresh_grace_period: 0,
    },
    poolSize: 5,
    reachDatabase: (url) => proxy.via(url),
  })
  ;({ github, router } = pair)
  mcpUrl = `${router.url}/mcp`
})

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
  await pair?.close()
  await proxy?.close()
})

/** The replicas that served `path`, in order. */
function servedBy(path: string, since = 0): ReplicaName[] {
  return router.routed
    .slice(since)
    .filter((step) => step.path === path)
    .map((step) => step.replica)
}

describe('two mxcp serve replicas on one PostgreSQL database', () => {
  test('a login started on A finishes on B; the token redeemed on A calls tools on B, refreshes on B, and a revocation on A is refused on B at once', async () => {
    router.choose = (_method, path) => (['/consent', '/github/callback', '/mcp'].includes(path) ? 'B' : 'A')
    const oauth = new HeadlessOAuthClient({ clientName: 'two replicas' })
    const client = await connectWithOAuth(mcpUrl, oauth)
    cleanups.push(() => client.close())

    assert.deepEqual(servedBy('/register'), ['A'], 'registered on A')
    assert.deepEqual(servedBy('/authorize'), ['A'], 'login started on A')
    assert.deepEqual(servedBy('/consent'), ['B'], 'the consent page served by A was approved on B')
    assert.deepEqual(servedBy('/github/callback'), ['B'], 'the callback landed on B')
    assert.deepEqual(servedBy('/token'), ['A'], 'the code was redeemed on A')
    assert.ok(
      router.routed.some((step) => step.path === '/mcp' && step.replica === 'B' && step.status === 200),
    )

    const whoami = await client.callTool({ name: 'whoami', arguments: {} })
    assert.deepEqual(
      toolJson(whoami),
      ADA_SEEN_BY_SQL,
      'a tool called on B runs as the user who logged in via A',
    )

    // A refresh on B, with the real SDK client (it uses the refresh token it holds).
    router.choose = (_method, path) =>
      path === '/github/callback' || path === '/mcp' || path === '/token' ? 'B' : 'A'
    const before = oauth.tokens()
    const mark = router.routed.length
    assert.equal(await auth(oauth, { serverUrl: mcpUrl }), 'AUTHORIZED')
    assert.deepEqual(servedBy('/token', mark), ['B'], 'refreshed on B')
    const after = oauth.tokens()
    assert.ok(after?.access_token && after.access_token !== before?.access_token, 'a new access token')
    assert.ok(
      after.refresh_token && after.refresh_token !== before?.refresh_token,
      'the refresh token rotated',
    )
    assert.equal(
      (await callTool(origin('A'), after.access_token, 'whoami')).status,
      200,
      'the new token works on A',
    )
    assert.equal((await callTool(origin('B'), after.access_token, 'whoami')).status, 200, 'and on B')

    // Revocation (RFC 7009) on A; B refuses the token on its very next request, though it served it a moment ago.
    const clientId = oauth.clientInformation()?.client_id ?? ''
    const revoked = await fetch(`${origin('A')}/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: after.access_token, client_id: clientId }).toString(),
    })
    assert.equal(revoked.status, 200)
    const refused = await callTool(origin('B'), after.access_token, 'whoami')
    assert.equal(refused.status, 401)
    assert.match(refused.challenge ?? '', /error="invalid_token"/)
    assert.equal((await callTool(origin('A'), after.access_token, 'whoami')).status, 401)

    // Logout: the client refreshes on A, then revokes its refresh token on B, which ends the grant
    // and the session; A refuses the access token it has just issued.
    router.choose = (_method, path) => (path === '/token' ? 'A' : 'B')
    assert.equal(await auth(oauth, { serverUrl: mcpUrl }), 'AUTHORIZED')
    const latest = oauth.tokens()
    assert.ok(latest?.access_token && latest.refresh_token)
    assert.equal((await callTool(origin('A'), latest.access_token, 'whoami')).status, 200)
    const logout = await fetch(`${origin('B')}/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: latest.refresh_token, client_id: clientId }).toString(),
    })
    assert.equal(logout.status, 200)
    assert.equal(
      (await callTool(origin('A'), latest.access_token, 'whoami')).status,
      401,
      'the grant ended everywhere',
    )
  })

  test(`one code redeemed on both replicas at once: exactly one token response, and the replay revokes it, ${TRIALS} trials`, async () => {
    router.choose = (_method, path) => (path === '/github/callback' ? 'B' : 'A')
    const client = await registerClient(router.url)
    for (let trial = 0; trial < TRIALS; trial++) {
      const login = await authorizationCode(router.url, client, mcpUrl)
      const answers = await Promise.all([
        redeemCode(origin('A'), client, mcpUrl, login),
        redeemCode(origin('B'), client, mcpUrl, login),
      ])
      const winners = answers.filter((answer) => answer.status === 200)
      const losers = answers.filter((answer) => answer.status === 400)
      assert.equal(winners.length, 1, `trial ${trial}: one winner`)
      assert.equal(losers[0]?.body['error'], 'invalid_grant', `trial ${trial}`)
      // RFC 6749 §4.1.2: a replayed code revokes what it issued, on every replica.
      const token = field(winners[0]?.body ?? {}, 'access_token')
      assert.equal((await callTool(origin('A'), token, 'whoami')).status, 401, `trial ${trial}`)
      assert.equal((await callTool(origin('B'), token, 'whoami')).status, 401, `trial ${trial}`)
    }
  })

  test(`one refresh token rotated on both replicas at once: exactly one rotation, and the reuse revokes the grant, ${TRIALS} trials`, async () => {
    router.choose = (_method, path) => (path === '/github/callback' ? 'B' : 'A')
    const client = await registerClient(router.url)
    for (let trial = 0; trial < TRIALS; trial++) {
      const login = await authorizationCode(router.url, client, mcpUrl)
      const issued = await redeemCode(trial % 2 ? origin('A') : origin('B'), client, mcpUrl, login)
      assert.equal(issued.status, 200)
      const refreshToken = field(issued.body, 'refresh_token')
      const answers = await Promise.all([
        refreshTokens(origin('A'), client, mcpUrl, refreshToken),
        refreshTokens(origin('B'), client, mcpUrl, refreshToken),
      ])
      const winners = answers.filter((answer) => answer.status === 200)
      assert.equal(winners.length, 1, `trial ${trial}: one rotation`)
      assert.equal(answers.find((answer) => answer.status !== 200)?.body['error'], 'invalid_grant')
      // RFC 9700 §4.14.2: the reuse revokes the whole family, the winner's new tokens included.
      const rotated = field(winners[0]?.body ?? {}, 'access_token')
      assert.equal((await callTool(origin('B'), rotated, 'whoami')).status, 401, `trial ${trial}`)
      const again = await refreshTokens(
        origin('A'),
        client,
        mcpUrl,
        field(winners[0]?.body ?? {}, 'refresh_token'),
      )
      assert.equal(again.status, 400, `trial ${trial}`)
    }
  })

  test('the database goes away mid-run: 503 with a clear message and nothing issued, no crash, full service once it is back', async () => {
    router.choose = (_method, path) => (path === '/github/callback' ? 'B' : 'A')
    const client = await registerClient(router.url)
    const login = await authorizationCode(router.url, client, mcpUrl)
    const issued = await redeemCode(origin('B'), client, mcpUrl, login)
    const accessToken = field(issued.body, 'access_token')
    const pendingLogin = await authorizationCode(router.url, client, mcpUrl)

    proxy.cut('down')
    for (const name of ['A', 'B'] as const) {
      const started = performance.now()
      const call = await callTool(origin(name), accessToken, 'whoami')
      assert.equal(call.status, 503, `a call on ${name} while the database is down`)
      assert.match(call.body, /temporarily_unavailable/)
      assert.ok(performance.now() - started < 3_000, 'answered quickly')
      const token = await redeemCode(origin(name), client, mcpUrl, pendingLogin)
      assert.equal(token.status, 503, `the token endpoint on ${name}`)
      assert.equal(token.body['error'], 'temporarily_unavailable')
      assert.equal(token.body['access_token'], undefined, 'nothing issued')
      const registration = await fetch(`${origin(name)}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_name: 'during outage', redirect_uris: ['http://127.0.0.1:8999/cb'] }),
      })
      assert.equal(registration.status, 503)
    }
    for (const replica of pair.replicas.values()) assert.equal(replica.child.exitCode, null, 'still running')

    proxy.restore()
    for (const name of ['A', 'B'] as const) {
      assert.equal(
        (await callTool(origin(name), accessToken, 'whoami')).status,
        200,
        `service on ${name} is back`,
      )
    }
    // The code whose redemption failed during the outage was never consumed: it still works, once.
    const late = await redeemCode(origin('A'), client, mcpUrl, pendingLogin)
    assert.equal(late.status, 200)
    assert.equal((await callTool(origin('B'), field(late.body, 'access_token'), 'whoami')).status, 200)
  })

  test("no token, code or upstream secret reached either replica's log", () => {
    const output = [...pair.replicas.values()].map((replica) => replica.output).join('\n')
    assert.ok(output.length > 0)
    assert.doesNotMatch(output, /mxcp_at_|mxcp_rt_|mxcp_ac_|gho_|ghu_|ghr_/)
    assert.ok(!output.includes(github.clientSecret))
    assert.ok(!output.includes(TEST_KEY))
  })
})

/** The JSON a tool returned (structured content, or the text of its first content block). */
function toolJson(result: unknown): unknown {
  if (typeof result !== 'object' || result === null) return undefined
  if ('structuredContent' in result && result.structuredContent !== undefined) return result.structuredContent
  if ('content' in result && Array.isArray(result.content)) {
    const first: unknown = result.content[0]
    if (typeof first === 'object' && first !== null && 'text' in first && typeof first.text === 'string') {
      return JSON.parse(first.text)
    }
  }
  return undefined
}
