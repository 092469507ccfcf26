import assert from 'node:assert/strict'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { after, afterEach, before, beforeEach, describe, test } from 'node:test'
import { type FakeIdp, HeadlessBrowser, startFakeIdp } from '@mxcp/testing'
import { LoopbackHttpsServer } from '@mxcp/testing/tls/loopback-https-server'
import { createTestCertificate, type TestCertificate } from '@mxcp/testing/tls/test-certificate'
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose'
import { FakeClock } from '../src/clock.js'
import { MemoryStore, mxcpAuth, requireUser, validateAuthConfig } from '../src/index.js'
import { fakeIdpProvider } from './helpers/fake-provider.js'
import { BASE, CLIENT_REDIRECT, form, pkcePair, RESOURCE } from './helpers/harness.js'
import { injectFetch } from './helpers/inject-fetch.js'
import { type SpyStore, spyStore, writes } from './helpers/spy-store.js'

const HOST = new URL(BASE).host
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

type Route = (request: IncomingMessage, response: ServerResponse) => void

/** The document fetch deadline of the tests of the deadline (the smallest the schema allows is 100). */
const DEADLINE_MS = 300
/** The deadline of every other test: no loopback fetch comes near it, however loaded the machine. */
const GENEROUS_DEADLINE_MS = 20_000

/** Resolves once `done()` holds, checking between turns of the event loop (not on timers, which a test may mock). */
async function until(done: () => boolean, withinMs = 10_000): Promise<void> {
  const giveUp = Date.now() + withinMs
  while (!done()) {
    if (Date.now() > giveUp) throw new Error(`still waiting after ${withinMs} ms`)
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/** A JSON answer with caching headers. */
function json(body: unknown, headers: Record<string, string> = {}): Route {
  return (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', ...headers })
    response.end(typeof body === 'string' ? body : JSON.stringify(body))
  }
}

/** Everything a test needs: our app (fake clock, spy store), the fake IdP, the document server. */
class CimdApp {
  constructor(
    readonly app: FastifyInstance,
    readonly idp: FakeIdp,
    readonly clock: FakeClock,
    readonly store: SpyStore,
    readonly logs: string[],
  ) {}

  static async start(
    certificate: TestCertificate,
    clientMetadata: Record<string, unknown>,
  ): Promise<CimdApp> {
    const clock = new FakeClock()
    const idp = await startFakeIdp({ now: () => clock.now() })
    const store = spyStore(new MemoryStore())
    const logs: string[] = []
    const app = Fastify({ logger: { level: 'info', stream: { write: (line: string) => logs.push(line) } } })
    try {
      await CimdApp.#register(app, idp, clock, store, certificate, clientMetadata)
    } catch (error) {
      // A configuration refused at registration must not leave the fake IdP listening.
      await app.close().catch(() => {})
      await idp.close()
      throw error
    }
    return new CimdApp(app, idp, clock, store, logs)
  }

  static async #register(
    app: FastifyInstance,
    idp: FakeIdp,
    clock: FakeClock,
    store: SpyStore,
    certificate: TestCertificate,
    clientMetadata: Record<string, unknown>,
  ): Promise<void> {
    await app.register(mxcpAuth, {
      auth: validateAuthConfig({
        provider: 'github',
        github: { client_id: idp.clientId, client_secret: idp.clientSecret },
        client_metadata: clientMetadata,
      }),
      provider: fakeIdpProvider(idp, { now: () => clock.now() }),
      store,
      clock,
      urls: { baseUrl: BASE },
      clientMetadataCa: certificate.caCert,
    })
    await app.register(async (mcp) => {
      mcp.addHook('onRequest', mcp.mxcpGuard)
      mcp.get('/mcp', async (request) => ({
        clientId: requireUser(request).clientId,
        username: requireUser(request).username,
      }))
    })
    await app.ready()
  }

  async close(): Promise<void> {
    await this.app.close()
    await this.idp.close()
  }

  authorizeUrl(clientId: string, overrides: Record<string, string> = {}) {
    const { verifier, challenge } = pkcePair()
    const query = form({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: CLIENT_REDIRECT,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 'st',
      scope: 'mxcp:access',
      resource: RESOURCE,
      ...overrides,
    })
    return { path: `/authorize?${query}`, verifier }
  }

  authorize(clientId: string, overrides: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.app.inject({
      method: 'GET',
      url: this.authorizeUrl(clientId, overrides).path,
      headers: { host: HOST },
    })
  }

  /** Consent, the fake IdP and our callback, up to the client's redirect URI: a code and its verifier. */
  async login(clientId: string): Promise<{ code: string; verifier: string }> {
    const { path, verifier } = this.authorizeUrl(clientId)
    const browser = new HeadlessBrowser({ fetch: injectFetch(this.app, BASE) })
    const result = await browser.run(`${BASE}${path}`, { stopAt: CLIENT_REDIRECT })
    const code = result.params.get('code')
    if (!code) throw new Error(`no code: ${result.url.href}`)
    return { code, verifier }
  }

  post(url: string, params: Record<string, string | undefined>): Promise<LightMyRequestResponse> {
    return this.app.inject({
      method: 'POST',
      url,
      headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form(params),
    })
  }

  redeem(login: { code: string; verifier: string }, auth: Record<string, string | undefined>) {
    return this.post('/token', {
      grant_type: 'authorization_code',
      code: login.code,
      code_verifier: login.verifier,
      redirect_uri: CLIENT_REDIRECT,
      resource: RESOURCE,
      ...auth,
    })
  }
}

/** An untrusted-client page: 400 HTML with the reason (and `invalid_client`), never a redirect, nothing stored. */
function assertRefusedPage(
  response: LightMyRequestResponse,
  store: SpyStore,
  reason: RegExp,
  errorCode: RegExp | null = /invalid_client/,
): void {
  assert.equal(response.statusCode, 400, response.body)
  assert.match(String(response.headers['content-type']), /text\/html/)
  assert.equal(response.headers.location, undefined, 'never a redirect')
  assert.equal(response.headers['set-cookie'], undefined, 'no consent cookie for an untrusted client')
  if (errorCode) assert.match(response.body, errorCode)
  assert.match(response.body, reason)
  assert.deepEqual(writes(store), [], 'nothing stored')
}

/** A 401 invalid_client JSON error (RFC 6749 §5.2) that issued nothing. */
function assertInvalidClient(response: LightMyRequestResponse, store: SpyStore, reason: RegExp): void {
  assert.equal(response.statusCode, 401, response.body)
  const body = response.json() as Record<string, unknown>
  assert.equal(body['error'], 'invalid_client')
  assert.match(String(body['error_description']), reason)
  assert.equal(body['access_token'], undefined)
  assert.equal(response.headers['cache-control'], 'no-store')
  assert.deepEqual(
    writes(store).filter((call) => call === 'saveTokens'),
    [],
    'no token issued',
  )
}

describe('Client ID Metadata Documents at the endpoints', () => {
  let certificate: TestCertificate
  let docs: LoopbackHttpsServer
  const routes = new Map<string, Route>()
  let clientId: string
  let document: Record<string, unknown>

  before(async () => {
    certificate = await createTestCertificate()
    docs = await LoopbackHttpsServer.start(certificate, (request, response) => {
      const route = routes.get(request.url ?? '')
      if (route) return route(request, response)
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}')
    })
    clientId = `${docs.origin}/client.json`
    document = {
      client_id: clientId,
      client_name: 'Doc Client',
      redirect_uris: [CLIENT_REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'none',
    }
  })
  after(async () => {
    await docs.close()
  })
  beforeEach(() => {
    routes.clear()
    docs.requests.length = 0
  })

  /**
   * The operator option the tests use explicitly: the loopback document server is allowed. The
   * deadline is far beyond what a loopback fetch takes even on a loaded machine, so a test of
   * another rule never races it; the tests of the deadline pass {@link DEADLINE_MS} and a
   * document server that never answers (or never finishes), so nothing races it either.
   */
  const loopbackAllowed = (timeout_ms = GENEROUS_DEADLINE_MS) => ({
    allowed_hosts: ['127.0.0.1'],
    allow_private_hosts: true,
    allowed_ports: [docs.port],
    timeout_ms,
  })

  describe('server metadata', () => {
    test('the AS metadata advertises client_id_metadata_document_supported and private_key_jwt; turned off it says false', async () => {
      const on = await CimdApp.start(certificate, {})
      const off = await CimdApp.start(certificate, { enabled: false })
      try {
        const metadata = (
          await on.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' })
        ).json() as Record<string, unknown>
        assert.equal(metadata['client_id_metadata_document_supported'], true)
        assert.deepEqual(metadata['token_endpoint_auth_methods_supported'], [
          'none',
          'client_secret_post',
          'client_secret_basic',
          'private_key_jwt',
        ])
        assert.ok(Array.isArray(metadata['token_endpoint_auth_signing_alg_values_supported']))
        assert.ok(
          !(metadata['token_endpoint_auth_signing_alg_values_supported'] as string[]).includes('HS256'),
        )
        const offMetadata = (
          await off.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' })
        ).json() as Record<string, unknown>
        assert.equal(offMetadata['client_id_metadata_document_supported'], false)
        assert.ok(
          !(offMetadata['token_endpoint_auth_methods_supported'] as string[]).includes('private_key_jwt'),
        )
      } finally {
        await on.close()
        await off.close()
      }
    })

    test('allow_private_hosts without allowed_hosts refuses to start', async () => {
      await assert.rejects(
        CimdApp.start(certificate, { allow_private_hosts: true }),
        /needs auth\.client_metadata\.allowed_hosts/,
      )
    })
  })

  describe('outbound fetches (issue 15)', () => {
    test('a URL client_id with a malformed request is refused before any fetch, at /authorize, /token and /revoke', async () => {
      const h = await CimdApp.start(certificate, loopbackAllowed())
      try {
        routes.set('/client.json', json(document))
        const malformed: Record<string, string>[] = [
          { code_challenge: '' },
          { response_type: 'token' },
          { resource: 'https://evil.example/mcp' },
          { redirect_uri: 'http://127.1:9/cb' },
        ]
        for (const overrides of malformed) {
          const response = await h.authorize(clientId, overrides)
          assertRefusedPage(response, h.store, /./, null)
        }
        const token = await h.post('/token', { grant_type: 'authorization_code', client_id: clientId })
        assert.equal(token.statusCode, 400)
        const revoke = await h.post('/revoke', { client_id: clientId })
        assert.equal(revoke.statusCode, 400)
        assert.equal(docs.requests.length, 0, 'no document was fetched')
      } finally {
        await h.close()
      }
    })

    test('metadata fetches towards one host are capped per minute; past the cap nothing is fetched', async () => {
      const h = await CimdApp.start(certificate, loopbackAllowed())
      try {
        const ids = Array.from({ length: 31 }, (_, i) => `${docs.origin}/c${i}.json`)
        for (const id of ids) routes.set(new URL(id).pathname, json({ ...document, client_id: id }))
        for (const id of ids.slice(0, 30)) assert.equal((await h.authorize(id)).statusCode, 200)
        assert.equal(docs.requests.length, 30)
        const refused = await h.authorize(ids[30] ?? '')
        assertRefusedPage(refused, h.store, /Too many metadata fetches/)
        assert.equal(docs.requests.length, 30, 'the 31st was not fetched')
        h.clock.advance(60_000)
        assert.equal((await h.authorize(ids[30] ?? '')).statusCode, 200, 'a minute later it is')
      } finally {
        await h.close()
      }
    })
  })

  describe('/authorize and the consent page', () => {
    let h: CimdApp
    beforeEach(async () => {
      h = await CimdApp.start(certificate, loopbackAllowed())
    })
    afterEach(async () => {
      await h.close()
    })

    test('a URL client_id is resolved by fetching it: consent, sign-in, token and a guarded call, with one fetch', async () => {
      routes.set('/client.json', json(document, { 'cache-control': 'max-age=300' }))
      const page = await h.authorize(clientId)
      assert.equal(page.statusCode, 200, page.body)
      assert.match(page.body, /identified by a metadata document/)
      assert.match(page.body, new RegExp(`<p class="host"[^>]*>127\\.0\\.0\\.1:${docs.port}</p>`))
      assert.doesNotMatch(page.body, /which is not/, 'same host: no warning')
      const fetched = docs.requestsFor('/client.json')
      assert.equal(fetched.length, 1)
      assert.equal(fetched[0]?.headers.accept, 'application/json')
      assert.equal(fetched[0]?.headers.cookie, undefined, 'no cookies sent')
      assert.equal(fetched[0]?.headers.authorization, undefined)

      const login = await h.login(clientId)
      const tokens = await h.redeem(login, { client_id: clientId })
      assert.equal(tokens.statusCode, 200, tokens.body)
      const body = tokens.json() as Record<string, string>
      assert.ok(body['refresh_token'], 'the document asked for refresh_token')
      const call = await h.app.inject({
        method: 'GET',
        url: '/mcp',
        headers: { host: HOST, authorization: `Bearer ${body['access_token']}` },
      })
      assert.deepEqual(call.json(), { clientId, username: 'alice' })
      assert.equal(
        docs.requestsFor('/client.json').length,
        1,
        'authorize, consent and token shared one fetch',
      )
      const refreshed = await h.post('/token', {
        grant_type: 'refresh_token',
        refresh_token: body['refresh_token'],
        client_id: clientId,
        resource: RESOURCE,
      })
      assert.equal(refreshed.statusCode, 200, refreshed.body)
    })

    test('the consent page warns when the redirect host differs from the client_id host', async () => {
      routes.set('/client.json', json({ ...document, redirect_uris: ['https://elsewhere.example/cb'] }))
      const page = await h.authorize(clientId, { redirect_uri: 'https://elsewhere.example/cb' })
      assert.equal(page.statusCode, 200, page.body)
      assert.match(
        page.body,
        new RegExp(
          `class="warn">You will be sent back to <span class="host">elsewhere\\.example</span>, which is not 127\\.0\\.0\\.1:${docs.port}`,
        ),
      )
    })

    test('the document client_id must equal its URL exactly', async () => {
      routes.set('/client.json', json({ ...document, client_id: `${docs.origin}/other.json` }))
      assertRefusedPage(await h.authorize(clientId), h.store, /client_id that is not exactly its own URL/)
    })

    test('a redirect_uri the document does not list is refused, even a loopback one on another port', async () => {
      routes.set('/client.json', json(document))
      assertRefusedPage(
        await h.authorize(clientId, { redirect_uri: 'http://127.0.0.1:9000/callback' }),
        h.store,
        /redirect_uri is not registered for Doc Client/,
        null,
      )
      const page = await h.authorize(clientId, { redirect_uri: 'https://attacker.example/cb' })
      assert.equal(page.statusCode, 400)
      assert.equal(page.headers.location, undefined)
    })

    test('a document that is not JSON is refused: an HTML content type, or a JSON type with a broken body', async () => {
      routes.set('/client.json', (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html' }).end('<html>hi</html>')
      })
      assertRefusedPage(await h.authorize(clientId), h.store, /is not JSON \(text\/html\)/)
      routes.set('/client.json', json('{"client_id": '))
      assertRefusedPage(await h.authorize(clientId), h.store, /is not valid JSON/)
    })

    test('an oversized document is refused, by Content-Length and while streaming', async () => {
      const big = JSON.stringify({ ...document, padding: 'x'.repeat(6000) })
      routes.set('/client.json', json(big))
      assertRefusedPage(await h.authorize(clientId), h.store, /larger than 5120 bytes/)
      routes.set('/client.json', (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' })
        for (let index = 0; index < 10; index++) response.write(big.slice(index * 700, (index + 1) * 700))
        response.end()
      })
      assertRefusedPage(await h.authorize(clientId), h.store, /larger than 5120 bytes/)
    })

    test('a slow document server is cut off by the timeout: no answer at all, or a body that trickles', async () => {
      const short = await CimdApp.start(certificate, loopbackAllowed(DEADLINE_MS))
      try {
        routes.set('/client.json', () => {})
        const started = Date.now()
        assertRefusedPage(await short.authorize(clientId), short.store, /did not answer within 300 ms/)
        assert.ok(Date.now() - started < 2000)
        routes.set('/client.json', (_request, response) => {
          response.writeHead(200, { 'content-type': 'application/json' })
          response.write('{"client_id":')
        })
        assertRefusedPage(await short.authorize(clientId), short.store, /did not answer within 300 ms/)
      } finally {
        await short.close()
      }
    })

    test('a redirect is not followed', async () => {
      routes.set('/client.json', (_request, response) => {
        response.writeHead(302, { location: `${docs.origin}/real.json` }).end()
      })
      routes.set('/real.json', json({ ...document, client_id: `${docs.origin}/real.json` }))
      assertRefusedPage(await h.authorize(clientId), h.store, /redirect \(302\), which is not followed/)
      assert.equal(docs.requestsFor('/real.json').length, 0)
    })

    test('a document that is missing or answers an error is refused', async () => {
      assertRefusedPage(await h.authorize(clientId), h.store, /answered 404/)
    })

    test('a document carrying a client secret is refused', async () => {
      routes.set('/client.json', json({ ...document, client_secret: 'shh' }))
      assertRefusedPage(await h.authorize(clientId), h.store, /client_secret/)
    })

    test('an http client_id, or one without a path, is refused before any fetch', async () => {
      assertRefusedPage(
        await h.authorize(`http://127.0.0.1:${docs.port}/client.json`),
        h.store,
        /must use https/,
      )
      assertRefusedPage(await h.authorize(`${docs.origin}/`), h.store, /must have a path/)
      assert.equal(docs.requests.length, 0)
    })

    test('documents are cached by max-age: no refetch while fresh, a refetch once stale', async () => {
      routes.set('/client.json', json(document, { 'cache-control': 'max-age=600' }))
      assert.equal((await h.authorize(clientId)).statusCode, 200)
      h.clock.advance(599_000)
      assert.equal((await h.authorize(clientId)).statusCode, 200)
      assert.equal(docs.requestsFor('/client.json').length, 1)
      h.clock.advance(2_000)
      assert.equal((await h.authorize(clientId)).statusCode, 200)
      assert.equal(docs.requestsFor('/client.json').length, 2)
    })

    test('no-store is held for the floor (cache_min_seconds), and a long max-age only up to the ceiling', async () => {
      routes.set('/client.json', json(document, { 'cache-control': 'no-store' }))
      await h.authorize(clientId)
      h.clock.advance(59_000)
      await h.authorize(clientId)
      assert.equal(docs.requestsFor('/client.json').length, 1, 'the 60 s floor')
      h.clock.advance(2_000)
      routes.set('/client.json', json(document, { 'cache-control': 'max-age=31536000' }))
      await h.authorize(clientId)
      assert.equal(docs.requestsFor('/client.json').length, 2)
      h.clock.advance(86_401_000)
      await h.authorize(clientId)
      assert.equal(docs.requestsFor('/client.json').length, 3, 'the one-day ceiling')
    })

    test('concurrent requests for one client share one fetch', async () => {
      routes.set('/client.json', json(document))
      const pages = await Promise.all([1, 2, 3, 4, 5].map(() => h.authorize(clientId)))
      assert.deepEqual(
        pages.map((page) => page.statusCode),
        [200, 200, 200, 200, 200],
      )
      assert.equal(docs.requestsFor('/client.json').length, 1)
    })

    test('a failed refetch uses a recent cached copy; without a copy it is an invalid_client page', async (t) => {
      routes.set('/client.json', json(document, { 'cache-control': 'max-age=60' }))
      assert.equal((await h.authorize(clientId)).statusCode, 200)
      h.clock.advance(61_000)
      routes.set('/client.json', (_request, response) => {
        response.writeHead(503, { 'content-type': 'application/json' }).end('{}')
      })
      assert.equal((await h.authorize(clientId)).statusCode, 200, 'the copy stands in')
      routes.set('/client.json', () => {})
      // The deadline passes on a mocked clock once the request is out, not by waiting it out.
      t.mock.timers.enable({ apis: ['setTimeout'] })
      const timedOut = h.authorize(clientId)
      await until(() => docs.requestsFor('/client.json').length === 3)
      t.mock.timers.tick(GENEROUS_DEADLINE_MS)
      assert.equal((await timedOut).statusCode, 200, 'a timeout too')
      t.mock.timers.reset()
      assert.equal(docs.requestsFor('/client.json').length, 3)
      assert.ok(
        h.logs.some((line) =>
          line.includes('client metadata refresh failed; using the copy fetched earlier'),
        ),
      )
      assert.ok(
        h.logs.some((line) => line.includes(`did not answer within ${GENEROUS_DEADLINE_MS} ms`)),
        'the copy stood in for a timeout',
      )

      const fresh = await CimdApp.start(certificate, loopbackAllowed(DEADLINE_MS))
      try {
        assertRefusedPage(await fresh.authorize(clientId), fresh.store, /did not answer within 300 ms/)
      } finally {
        await fresh.close()
      }
    })

    test('a refetch that finds the document withdrawn drops the cached copy', async () => {
      routes.set('/client.json', json(document, { 'cache-control': 'max-age=60' }))
      assert.equal((await h.authorize(clientId)).statusCode, 200)
      h.clock.advance(61_000)
      routes.delete('/client.json')
      assertRefusedPage(await h.authorize(clientId), h.store, /answered 404/)
    })
  })

  describe('server-side request forgery and the operator policy', () => {
    test('a private-address client_id is refused without the option, and nothing is fetched', async () => {
      routes.set('/client.json', json(document))
      // The port is allowed, so the address alone is the reason.
      const h = await CimdApp.start(certificate, { allowed_ports: [docs.port], timeout_ms: 300 })
      try {
        assertRefusedPage(await h.authorize(clientId), h.store, /points to a non-public address/)
        assertRefusedPage(
          await h.authorize(`https://localhost:${docs.port}/client.json`),
          h.store,
          /resolves to a non-public address/,
        )
        assert.equal(docs.requests.length, 0, 'no request reached the document server')
      } finally {
        await h.close()
      }
    })

    test('a document server whose certificate is not trusted is refused (TLS is verified)', async () => {
      routes.set('/client.json', json(document))
      const untrusted = await createTestCertificate()
      const h = await CimdApp.start({ ...certificate, caCert: untrusted.caCert }, loopbackAllowed())
      try {
        assertRefusedPage(
          await h.authorize(clientId),
          h.store,
          /could not be reached \((?:UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_SIGNATURE_FAILURE|SELF_SIGNED_CERT_IN_CHAIN)\)/,
        )
      } finally {
        await h.close()
      }
    })

    test('ports other than 443 are refused unless allowed', async () => {
      const h = await CimdApp.start(certificate, { allowed_hosts: ['127.0.0.1'], allow_private_hosts: true })
      try {
        assertRefusedPage(await h.authorize(clientId), h.store, new RegExp(`uses port ${docs.port}`))
        assert.equal(docs.requests.length, 0)
      } finally {
        await h.close()
      }
    })

    test('allowed_hosts restricts metadata-document clients to the listed hosts', async () => {
      const h = await CimdApp.start(certificate, { allowed_hosts: ['tools.example.com', '*.example.org'] })
      try {
        assertRefusedPage(
          await h.authorize(clientId),
          h.store,
          /on 127\.0\.0\.1, which this server does not accept clients from/,
        )
        assert.equal(docs.requests.length, 0)
      } finally {
        await h.close()
      }
    })

    test('enabled: false turns metadata-document clients off', async () => {
      routes.set('/client.json', json(document))
      const h = await CimdApp.start(certificate, { ...loopbackAllowed(), enabled: false })
      try {
        assertRefusedPage(await h.authorize(clientId), h.store, /does not accept client metadata documents/)
        const token = await h.post('/token', {
          grant_type: 'authorization_code',
          code: 'x',
          client_id: clientId,
        })
        assertInvalidClient(token, h.store, /does not accept client metadata documents/)
        assert.equal(docs.requests.length, 0)
      } finally {
        await h.close()
      }
    })
  })

  describe('/token and /revoke', () => {
    let h: CimdApp
    let key: CryptoKey
    let publicJwk: JWK
    const keyedId = () => `${docs.origin}/keyed.json`

    before(async () => {
      const pair = await generateKeyPair('ES256')
      key = pair.privateKey
      publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' }
    })
    beforeEach(async () => {
      h = await CimdApp.start(certificate, loopbackAllowed())
      routes.set('/client.json', json(document))
      routes.set(
        '/keyed.json',
        json({
          ...document,
          client_id: keyedId(),
          client_name: 'Keyed Client',
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [publicJwk] },
        }),
      )
    })
    afterEach(async () => {
      await h.close()
    })

    /** A client assertion (RFC 7523) for the keyed client, valid unless `claims` say otherwise. */
    function assertion(
      claims: Record<string, unknown> = {},
      options: { key?: CryptoKey | Uint8Array; alg?: string; expiresIn?: number } = {},
    ): Promise<string> {
      const now = Math.floor(h.clock.now() / 1000)
      return new SignJWT({
        iss: keyedId(),
        sub: keyedId(),
        aud: BASE,
        jti: crypto.randomUUID(),
        iat: now,
        exp: now + (options.expiresIn ?? 120),
        ...claims,
      })
        .setProtectedHeader({ alg: options.alg ?? 'ES256', kid: 'k1' })
        .sign(options.key ?? key)
    }

    const withAssertion = (jwt: string, extra: Record<string, string> = {}) => ({
      client_assertion_type: JWT_BEARER,
      client_assertion: jwt,
      ...extra,
    })

    test('private_key_jwt: a valid assertion (without client_id) redeems the code; the keys come from the document', async () => {
      const login = await h.login(keyedId())
      const response = await h.redeem(login, withAssertion(await assertion()))
      assert.equal(response.statusCode, 200, response.body)
      assert.ok((response.json() as Record<string, unknown>)['access_token'])
    })

    test('an assertion with a wrong signature is invalid_client; nothing is issued and the code still works', async () => {
      const login = await h.login(keyedId())
      const stranger = await generateKeyPair('ES256')
      h.store.reset()
      assertInvalidClient(
        await h.redeem(login, withAssertion(await assertion({}, { key: stranger.privateKey }))),
        h.store,
        /signature does not verify/,
      )
      assert.deepEqual(writes(h.store), [])
      assert.equal((await h.redeem(login, withAssertion(await assertion()))).statusCode, 200)
    })

    test('a replayed jti is refused', async () => {
      const jwt = await assertion()
      const first = await h.login(keyedId())
      assert.equal((await h.redeem(first, withAssertion(jwt))).statusCode, 200)
      const second = await h.login(keyedId())
      h.store.reset()
      assertInvalidClient(await h.redeem(second, withAssertion(jwt)), h.store, /already used/)
    })

    test('two concurrent requests with one assertion: exactly one is accepted', async () => {
      const jwt = await assertion()
      const logins = await Promise.all([h.login(keyedId()), h.login(keyedId())])
      const responses = await Promise.all(logins.map((login) => h.redeem(login, withAssertion(jwt))))
      assert.deepEqual(responses.map((response) => response.statusCode).sort(), [200, 401])
    })

    test('an expired assertion is refused', async () => {
      const jwt = await assertion({}, { expiresIn: 60 })
      const login = await h.login(keyedId())
      h.clock.advance(120_000)
      h.store.reset()
      assertInvalidClient(await h.redeem(login, withAssertion(jwt)), h.store, /has expired/)
    })

    test('an assertion for another audience, another issuer, too long-lived or symmetric is refused', async () => {
      const login = await h.login(keyedId())
      h.store.reset()
      for (const [jwt, reason] of [
        [await assertion({ aud: 'https://elsewhere.example' }), /aud claim/],
        [await assertion({ iss: 'https://evil.example/c.json' }), /iss claim/],
        [await assertion({}, { expiresIn: 3600 }), /must expire within 600 seconds/],
        [await assertion({ jti: undefined }), /jti/],
        [
          await assertion({}, { alg: 'HS256', key: new TextEncoder().encode('x'.repeat(32)) }),
          /asymmetric|No key/,
        ],
      ] as const) {
        assertInvalidClient(await h.redeem(login, withAssertion(jwt)), h.store, reason)
      }
      assert.equal((await h.redeem(login, withAssertion(await assertion()))).statusCode, 200)
    })

    test('the token endpoint URL is an accepted audience too', async () => {
      const login = await h.login(keyedId())
      const response = await h.redeem(login, withAssertion(await assertion({ aud: `${BASE}/token` })))
      assert.equal(response.statusCode, 200, response.body)
    })

    test('a private_key_jwt client must send an assertion; a public one must not; neither has a secret', async () => {
      const login = await h.login(keyedId())
      h.store.reset()
      assertInvalidClient(
        await h.redeem(login, { client_id: keyedId() }),
        h.store,
        /must authenticate with private_key_jwt/,
      )
      assertInvalidClient(
        await h.redeem(login, { client_id: keyedId(), client_secret: 'guess' }),
        h.store,
        /has no client secret/,
      )
      const publicLogin = await h.login(clientId)
      h.store.reset()
      const jwt = await assertion({ iss: clientId, sub: clientId })
      assertInvalidClient(await h.redeem(publicLogin, withAssertion(jwt)), h.store, /is public/)
      assertInvalidClient(
        await h.redeem(publicLogin, withAssertion(await assertion(), { client_id: clientId })),
        h.store,
        /does not match the subject/,
      )
    })

    test('a client assertion for a registered (non-document) client is refused', async () => {
      const response = await h.post('/token', {
        grant_type: 'authorization_code',
        code: 'x',
        ...withAssertion(await assertion({ iss: 'some-client', sub: 'some-client' })),
      })
      assertInvalidClient(response, h.store, /Only clients identified by a metadata document/)
    })

    test('private_key_jwt with jwks_uri: the key set is fetched under the same policy and cached', async () => {
      routes.set('/jwks.json', json({ keys: [publicJwk] }, { 'cache-control': 'max-age=300' }))
      routes.set(
        '/keyed.json',
        json({
          ...document,
          client_id: keyedId(),
          token_endpoint_auth_method: 'private_key_jwt',
          jwks_uri: `${docs.origin}/jwks.json`,
        }),
      )
      for (let round = 0; round < 2; round++) {
        const login = await h.login(keyedId())
        const response = await h.redeem(login, withAssertion(await assertion()))
        assert.equal(response.statusCode, 200, response.body)
      }
      assert.equal(docs.requestsFor('/jwks.json').length, 1)
    })

    test('revocation authenticates a private_key_jwt client by assertion too', async () => {
      const login = await h.login(keyedId())
      const tokens = (await h.redeem(login, withAssertion(await assertion()))).json() as Record<
        string,
        string
      >
      const refused = await h.post('/revoke', { token: tokens['refresh_token'], client_id: keyedId() })
      assert.equal(refused.statusCode, 401)
      const revoked = await h.post('/revoke', {
        token: tokens['refresh_token'],
        ...withAssertion(await assertion({ aud: `${BASE}/revoke` })),
      })
      assert.equal(revoked.statusCode, 200, revoked.body)
      const call = await h.app.inject({
        method: 'GET',
        url: '/mcp',
        headers: { host: HOST, authorization: `Bearer ${tokens['access_token']}` },
      })
      assert.equal(call.statusCode, 401, 'the grant ended')
    })

    test('no assertion, code or token reaches a log line', async () => {
      const jwt = await assertion()
      const login = await h.login(keyedId())
      const tokens = (await h.redeem(login, withAssertion(jwt))).json() as Record<string, string>
      const logs = h.logs.join('\n')
      for (const secret of [jwt, login.code, tokens['access_token'], tokens['refresh_token']]) {
        assert.ok(secret && !logs.includes(secret))
      }
    })
  })
})
