import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { FakeClock } from '@mxcp/auth-core/testing'
import { type FakeIdp, startFakeIdp } from '@mxcp/testing/fake-idp/fake-idp'
import Database from 'better-sqlite3'
import { AuthServer, BASE } from './helpers/auth-server.js'
import { databaseFiles, findSecrets } from './helpers/scan-bytes.js'
import { tempDatabasePath } from './helpers/temp-database.js'

let idp: FakeIdp
const clock = new FakeClock()

before(async () => {
  idp = await startFakeIdp({ now: () => clock.now() })
})
after(async () => {
  await idp.close()
})

function countRows(path: string, table: 'clients' | 'tokens' | 'codes'): number {
  const raw = new Database(path, { readonly: true })
  try {
    return (raw.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
  } finally {
    raw.close()
  }
}

test('after a full flow through the server, no token, code, client secret or upstream secret is in the database, -wal or -shm', async () => {
  const path = tempDatabasePath()
  idp.resetRecords()
  const server = await AuthServer.start({ path, idp, clock })
  const secrets: Record<string, string> = {}
  try {
    const client = await server.register(true)
    assert.ok(client.clientSecret, 'a confidential client got a secret')
    secrets['client secret'] = client.clientSecret

    const flow = server.authorization(client.clientId)
    secrets['MCP client PKCE verifier'] = flow.verifier
    const browser = server.browser()
    const atIdp = await server.startLogin(browser, flow)
    for (const cookie of (browser.jar.headerFor(new URL(`${BASE}/`)) ?? '').split('; ')) {
      const [name, value] = cookie.split('=')
      if (name && value) secrets[`cookie ${name}`] = value
    }
    const code = await server.login(browser, atIdp.url.href)
    secrets['authorization code'] = code
    const issued = await server.redeem(client, code, flow.verifier)
    assert.equal(issued.statusCode, 200, issued.body)
    const tokens = issued.json() as Record<string, string>
    secrets['access token'] = tokens.access_token ?? ''
    secrets['refresh token'] = tokens.refresh_token ?? ''
    const rotated = await server.refresh(client, tokens.refresh_token ?? '')
    assert.equal(rotated.statusCode, 200, rotated.body)
    const renewed = rotated.json() as Record<string, string>
    secrets['rotated access token'] = renewed.access_token ?? ''
    secrets['rotated refresh token'] = renewed.refresh_token ?? ''
    assert.equal((await server.call(renewed.access_token ?? '')).statusCode, 200)

    const upstream = idp.tokenRequests('authorization_code')
    assert.equal(upstream.length, 1)
    secrets['upstream code'] = upstream[0]?.params['code'] ?? ''
    secrets['upstream code verifier'] = upstream[0]?.params['code_verifier'] ?? ''
    idp.grants.issuedAccessTokens.forEach((token, i) => {
      secrets[`upstream access token ${i}`] = token
    })
    idp.grants.issuedRefreshTokens.forEach((token, i) => {
      secrets[`upstream refresh token ${i}`] = token
    })
    assert.ok(Object.keys(secrets).some((label) => label.startsWith('upstream access token')))
    assert.ok(
      Object.values(secrets).every((value) => value.length >= 16),
      JSON.stringify(Object.keys(secrets)),
    )

    assert.deepEqual(findSecrets(databaseFiles(path), secrets), [], 'while the server runs')
  } finally {
    await server.close()
  }
  assert.deepEqual(findSecrets(databaseFiles(path), secrets), [], 'after shutdown')
})

test('a database locked past the busy timeout: the token endpoint and registration answer 503 and nothing is issued or stored', async () => {
  const path = tempDatabasePath()
  const server = await AuthServer.start({ path, idp, clock, store: { busyTimeoutMs: 100 } })
  try {
    const client = await server.register()
    const earlier = server.authorization(client.clientId)
    const earlierTokens = await server.redeem(
      client,
      await server.login(server.browser(), earlier.url),
      earlier.verifier,
    )
    assert.equal(earlierTokens.statusCode, 200)
    const flow = server.authorization(client.clientId)
    const code = await server.login(server.browser(), flow.url)
    const before = { tokens: countRows(path, 'tokens'), clients: countRows(path, 'clients') }

    // Another process holds the write lock.
    const other = new Database(path)
    other.exec('BEGIN IMMEDIATE')
    try {
      const redeemed = await server.redeem(client, code, flow.verifier)
      assert.equal(redeemed.statusCode, 503, redeemed.body)
      assert.equal(redeemed.json().error, 'temporarily_unavailable')
      assert.equal(redeemed.headers['cache-control'], 'no-store')
      assert.equal(redeemed.json().access_token, undefined)

      const registered = await server.app.inject({
        method: 'POST',
        url: '/register',
        headers: { host: new URL(BASE).host },
        payload: {
          client_name: 'Late',
          redirect_uris: ['http://127.0.0.1:8999/callback'],
          token_endpoint_auth_method: 'none',
        },
      })
      assert.equal(registered.statusCode, 503, registered.body)
      assert.equal(registered.json().client_id, undefined)

      // Reads do not wait for the writer in WAL mode: tokens already issued keep working.
      const access = String(earlierTokens.json().access_token)
      assert.equal((await server.call(access)).statusCode, 200)
    } finally {
      other.exec('ROLLBACK')
      other.close()
    }

    assert.deepEqual(
      { tokens: countRows(path, 'tokens'), clients: countRows(path, 'clients') },
      before,
      'nothing was stored',
    )
    const retried = await server.redeem(client, code, flow.verifier)
    assert.equal(retried.statusCode, 200, 'the code was not used up by the refused attempt')
  } finally {
    await server.close()
  }
})
