import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import { after, before, describe, test } from 'node:test'
import type { GitHubStandIn } from '@mxcp/testing/stand-ins/github'
import { stringify } from 'yaml'
import { copyExampleProject, type TempDir, writeFiles } from './helpers/example-project.js'
import { githubEnv, startGitHub, writeGitHubUserConfig } from './helpers/github-auth.js'
import { startInProcess } from './helpers/in-process-server.js'
import { postMcp } from './helpers/json-rpc.js'
import { type ServedExample, serveExample } from './helpers/served-example.js'
import { type ServedWithGitHub, serveWithGitHub, signInAdaThenGrace } from './helpers/served-github.js'

/** GET `path` on `url`'s server with exactly these headers (fetch cannot set Host). */
function rawGet(
  url: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const target = new URL(url)
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: target.hostname, port: target.port, path, method: 'GET', headers },
      (response) => {
        let body = ''
        response.setEncoding('utf8').on('data', (chunk: string) => {
          body += chunk
        })
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body, headers: response.headers }),
        )
      },
    )
    req.on('error', reject)
    req.end()
  })
}

/** A user config for `demo` with GitHub at the stand-in and this `transport.http` block. */
function writeConfigWithTransport(dir: string, github: GitHubStandIn, http: Record<string, unknown>): string {
  const base = writeGitHubUserConfig(dir, github)
  const files = writeFiles(dir, {
    'proxy-config.yml': `${readFileSync(base, 'utf8')}${stringify({ transport: { http } })}`,
  })
  return `${files}/proxy-config.yml`
}

describe('slow clients are cut off', () => {
  let running: ServedExample

  before(async () => {
    running = await serveExample({
      httpTimeouts: { requestMs: 1_000, headersMs: 1_000, checkIntervalMs: 100 },
    })
  })
  after(() => running?.close())

  test('a body sent a byte at a time is cut off at the request timeout, and nothing runs', async () => {
    const url = new URL(running.url)
    const socket = connect(Number(url.port), url.hostname)
    let answer = ''
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      answer += chunk
    })
    const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now())))
    const started = Date.now()
    socket.write(
      `POST /mcp HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`,
    )
    const drip = setInterval(() => socket.writable && socket.write(' '), 200)
    const end = await closed
    clearInterval(drip)
    assert.ok(end - started < 5_000, `held for ${end - started} ms`)
    assert.match(answer, /^HTTP\/1\.1 408/, 'the server answers 408 Request Timeout and closes')
  })
})

describe('the Host header on a server without base_url (DNS rebinding)', () => {
  let running: ServedExample

  before(async () => {
    running = await serveExample()
  })
  after(() => running?.close())

  test('a rebound host name gets 400 on /mcp and everywhere; loopback names are served', async () => {
    const refused = await rawGet(running.url, '/mcp', { host: 'evil.example:8000' })
    assert.equal(refused.status, 400)
    assert.match(refused.body, /does not answer for the host/)
    const served = await postMcp(running.url, 'tools/list', {})
    assert.equal(served.status, 200)
  })
})

describe('the guide reverse-proxy examples (GitHub auth) still serve', () => {
  let project: TempDir
  let github: GitHubStandIn

  before(async () => {
    project = copyExampleProject()
    github = await startGitHub()
  })
  after(async () => {
    await github?.close()
    project?.dispose()
  })

  async function issuerWith(
    http: Record<string, unknown>,
    headers: Record<string, string>,
  ): Promise<{ status: number; issuer?: string }> {
    const running = await startInProcess({
      projectDir: project.path,
      userConfigPath: writeConfigWithTransport(project.path, github, http),
      env: githubEnv(github),
    })
    try {
      const address = running.server.app.server.address()
      const port = address !== null && typeof address === 'object' ? address.port : 0
      const answer = await rawGet(
        `http://127.0.0.1:${port}`,
        '/.well-known/oauth-authorization-server',
        headers,
      )
      return answer.status === 200
        ? { status: 200, issuer: (JSON.parse(answer.body) as { issuer: string }).issuer }
        : { status: answer.status }
    } finally {
      await running.close()
    }
  }

  test('option 3, base_url: the issuer is the configured URL whatever the Host', async () => {
    const answer = await issuerWith({ base_url: 'https://api.example.com' }, { host: 'internal:8000' })
    assert.deepEqual(answer, { status: 200, issuer: 'https://api.example.com' })
  })

  test('option 2, trust_proxy with X-Forwarded-Proto and X-Forwarded-Host from a trusted loopback proxy', async () => {
    const answer = await issuerWith(
      { host: '0.0.0.0', trust_proxy: true },
      { host: '127.0.0.1:8000', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.com' },
    )
    assert.deepEqual(answer, { status: 200, issuer: 'https://api.example.com' })
  })

  test('option 1, scheme https: the public name is served once it is in allowed_hosts, refused otherwise', async () => {
    const allowed = await issuerWith(
      { host: '0.0.0.0', scheme: 'https', allowed_hosts: ['api.example.com'] },
      { host: 'api.example.com' },
    )
    assert.deepEqual(allowed, { status: 200, issuer: 'https://api.example.com' })
    const unknown = await issuerWith({ host: '0.0.0.0', scheme: 'https' }, { host: 'api.example.com' })
    assert.equal(unknown.status, 400)
  })
})

describe('MCP session caps: one user cannot evict another', () => {
  let running: ServedWithGitHub
  let adaToken: string
  let graceToken: string

  before(async () => {
    running = await serveWithGitHub({
      stateless: false,
      sessionLimits: { maxPerUser: 2, maxSessions: 3 },
    })
    const signedIn = await signInAdaThenGrace(running)
    adaToken = signedIn.ada.tokens()?.access_token ?? ''
    graceToken = signedIn.graceToken
  })
  after(() => running?.close())

  async function open(token: string): Promise<{ status: number; session: string | null }> {
    const response = await postMcp(
      running.url,
      'initialize',
      { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'cap-test', version: '1' } },
      { authorization: `Bearer ${token}` },
    )
    return { status: response.status, session: response.headers.get('mcp-session-id') }
  }
  const use = async (token: string, session: string | null) =>
    (
      await postMcp(
        running.url,
        'tools/list',
        {},
        {
          authorization: `Bearer ${token}`,
          'mcp-session-id': session ?? '',
          'mcp-protocol-version': '2025-06-18',
        },
      )
    ).status

  test("past a user's cap only that user's oldest session closes; past the overall cap a new one is refused", async () => {
    const ada1 = await open(adaToken)
    const ada2 = await open(adaToken)
    const grace1 = await open(graceToken)
    assert.deepEqual([ada1.status, ada2.status, grace1.status], [200, 200, 200])
    const ada3 = await open(adaToken)
    assert.equal(ada3.status, 200)
    assert.equal(await use(adaToken, ada1.session), 404, "ada's oldest session was closed")
    assert.equal(await use(graceToken, grace1.session), 200, "grace's session is untouched")
    assert.equal(await use(adaToken, ada2.session), 200)
    const grace2 = await open(graceToken)
    assert.equal(grace2.status, 503, 'the server is full: a new session is refused, nobody is evicted')
    assert.equal(await use(adaToken, ada2.session), 200)
    assert.equal(await use(adaToken, ada3.session), 200)
  })
})

describe('MCP session caps without authentication', () => {
  let running: ServedExample

  before(async () => {
    running = await serveExample({ stateless: false, sessionLimits: { maxPerUser: 1, maxSessions: 2 } })
  })
  after(() => running?.close())

  test('anonymous sessions share the overall cap: the oldest makes room, a new one is never refused', async () => {
    const open = async () =>
      (
        await postMcp(running.url, 'initialize', {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'anon', version: '1' },
        })
      ).headers.get('mcp-session-id')
    const sessions = [await open(), await open(), await open()]
    assert.ok(sessions.every((id) => typeof id === 'string'))
    const use = async (session: string | null) =>
      (
        await postMcp(
          running.url,
          'tools/list',
          {},
          { 'mcp-session-id': session ?? '', 'mcp-protocol-version': '2025-06-18' },
        )
      ).status
    assert.deepEqual(
      [await use(sessions[0] ?? null), await use(sessions[1] ?? null), await use(sessions[2] ?? null)],
      [404, 200, 200],
    )
  })
})
