import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, describe, test } from 'node:test'
import { HeadlessBrowser } from '@mxcp/testing/browser/headless-browser'
import {
  connectWithOAuth,
  HEADLESS_REDIRECT_URL,
  HeadlessOAuthClient,
} from '@mxcp/testing/browser/headless-oauth-client'
import type { GitHubStandIn } from '@mxcp/testing/stand-ins/github'
import { LoopbackHttpsServer } from '@mxcp/testing/tls/loopback-https-server'
import { createTestCertificate } from '@mxcp/testing/tls/test-certificate'
import { parse, stringify } from 'yaml'
import { copyExampleProject } from './helpers/example-project.js'
import { ADA, githubEnv, startGitHub, writeGitHubUserConfig } from './helpers/github-auth.js'
import { resultJson } from './helpers/mcp-client.js'
import { type CliProcess, startCli } from './helpers/spawn-cli.js'

const cleanups: (() => Promise<void> | void)[] = []
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
})

/**
 * An SDK OAuth client that identifies itself with a Client ID Metadata Document: with
 * `clientMetadataUrl` set and `client_id_metadata_document_supported` in the server's metadata,
 * the SDK uses the URL as its client_id and never registers (MCP-NOTES B.2 item 5).
 */
class MetadataDocumentClient extends HeadlessOAuthClient {
  readonly clientMetadataUrl: string
  constructor(clientMetadataUrl: string) {
    super({ clientName: 'CIMD e2e client' })
    this.clientMetadataUrl = clientMetadataUrl
  }
}

/** Adds `auth.client_metadata` to the profile of the user config written by `writeGitHubUserConfig`. */
function addClientMetadataBlock(configPath: string, block: Record<string, unknown>): void {
  const config = parse(readFileSync(configPath, 'utf8')) as {
    projects: { demo: { profiles: { default: { auth: Record<string, unknown> } } } }
  }
  config.projects.demo.profiles.default.auth['client_metadata'] = block
  writeFileSync(configPath, stringify(config))
}

/** `mxcp serve` (the real process) with a metadata document on loopback HTTPS that the server may fetch. */
interface Setup {
  readonly documents: LoopbackHttpsServer
  readonly documentUrl: string
  readonly github: GitHubStandIn
  readonly cli: CliProcess
  /** The MCP URL. */
  readonly url: string
}

async function serveWithDocument(redirectUris: readonly string[]): Promise<Setup> {
  // The metadata document, over HTTPS with a certificate made now (MCP clients insist on https).
  const certificate = await createTestCertificate()
  let documentUrl = ''
  const documents = await LoopbackHttpsServer.start(certificate, (request, response) => {
    if (request.url !== '/oauth/client.json') return void response.writeHead(404).end()
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' })
    response.end(
      JSON.stringify({
        client_id: documentUrl,
        client_name: 'CIMD e2e client',
        client_uri: 'https://client.example.com',
        redirect_uris: redirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      }),
    )
  })
  cleanups.push(() => documents.close())
  documentUrl = `${documents.origin}/oauth/client.json`

  const project = copyExampleProject()
  cleanups.push(() => project.dispose())
  const github = await startGitHub()
  cleanups.push(() => github.close())
  const configPath = writeGitHubUserConfig(project.path, github)
  // The operator option, used explicitly: this loopback host and port may serve documents.
  addClientMetadataBlock(configPath, {
    allowed_hosts: ['127.0.0.1'],
    allow_private_hosts: true,
    allowed_ports: [documents.port],
  })
  const caPath = join(project.path, 'test-ca.pem')
  writeFileSync(caPath, certificate.caCert)

  const cli = startCli(['serve', '--project', project.path, '--host', '127.0.0.1', '--port', '0'], {
    ...githubEnv(github),
    HOME: project.path,
    MXCP_CONFIG: configPath,
    // The server process trusts the test CA the way an operator would add a private CA.
    NODE_EXTRA_CA_CERTS: caPath,
  })
  cleanups.push(async () => {
    await cli.stop()
  })
  return { documents, documentUrl, github, cli, url: await cli.url() }
}

const ADA_SEEN_BY_SQL = {
  username: ADA.login,
  email: 'ada@example.com',
  provider: 'github',
  employee: 'Ada Lovelace',
}

/** The server fetched the document (once: then cached), issued tokens to its URL, and nobody registered. */
function assertServedFromDocument(setup: Setup): void {
  const fetched = setup.documents.requestsFor('/oauth/client.json')
  assert.equal(fetched.length, 1, 'fetched once, then cached (authorize, consent and token)')
  assert.equal(fetched[0]?.headers.cookie, undefined)
  const logs = setup.cli.logLines()
  assert.ok(!logs.some((line) => line['msg'] === 'client registered'), 'no dynamic registration')
  assert.ok(
    logs.some((line) => line['msg'] === 'tokens issued' && line['clientId'] === setup.documentUrl),
    'tokens were issued to the URL client_id',
  )
}

/** A loopback port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** mcp-remote's entry point, installed with @mxcp/testing. */
function mcpRemoteBin(): string {
  const require = createRequire(import.meta.resolve('@mxcp/testing/tls/test-certificate'))
  return join(dirname(require.resolve('mcp-remote/package.json')), 'dist', 'proxy.js')
}

/** mcp-remote as a child process: its stdin/stdout speak MCP, its stderr is its log. */
class McpRemote {
  readonly child: ChildProcess
  stderr = ''
  #stdout = ''
  readonly #waiters: { test: (text: string) => boolean; resolve: () => void }[] = []

  constructor(args: readonly string[], home: string) {
    this.child = spawn(process.execPath, [mcpRemoteBin(), ...args], {
      // BROWSER=true: xdg-open "opens" nothing; the test is the browser.
      env: {
        PATH: process.env['PATH'],
        HOME: home,
        MCP_REMOTE_CONFIG_DIR: join(home, 'mcp-auth'),
        BROWSER: 'true',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk
      this.#wake()
    })
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stdout += chunk
      this.#wake()
    })
  }

  /** Resolves once `test` holds for stderr + stdout (or rejects after `ms`). */
  waitFor(test: (text: string) => boolean, what: string, ms = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`mcp-remote: no ${what} after ${ms} ms:\n${this.stderr}`)),
        ms,
      )
      this.#waiters.push({
        test,
        resolve: () => {
          clearTimeout(timer)
          resolve()
        },
      })
      this.#wake()
    })
  }

  /** Sends a JSON-RPC request on stdin and resolves with the response of the same id. */
  async request(
    id: number,
    method: string,
    params: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    this.child.stdin?.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`)
    const matches = (line: string) => line.startsWith('{') && (JSON.parse(line) as { id?: unknown }).id === id
    await this.waitFor(() => this.#lines().some(matches), `answer to ${method}`)
    return JSON.parse(this.#lines().find(matches) ?? '{}') as Record<string, unknown>
  }

  notify(method: string): void {
    this.child.stdin?.write(`${JSON.stringify({ jsonrpc: '2.0', method })}\n`)
  }

  stop(): void {
    if (this.child.exitCode === null) this.child.kill('SIGTERM')
  }

  #lines(): string[] {
    return this.#stdout.split('\n').filter((line) => line.trim() !== '')
  }

  #wake(): void {
    const text = this.stderr + this.#stdout
    for (const waiter of [...this.#waiters]) {
      if (!waiter.test(text)) continue
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1)
      waiter.resolve()
    }
  }
}

describe('mxcp serve with a Client ID Metadata Document client', () => {
  test('the real SDK client, given a clientMetadataUrl on loopback HTTPS, signs in without registering and calls a tool', async () => {
    const setup = await serveWithDocument([HEADLESS_REDIRECT_URL])
    const oauth = new MetadataDocumentClient(setup.documentUrl)
    const client = await connectWithOAuth(setup.url, oauth)
    cleanups.push(() => client.close())

    assert.deepEqual(resultJson(await client.callTool({ name: 'whoami', arguments: {} })), ADA_SEEN_BY_SQL)
    assert.equal(oauth.clientInformation()?.client_id, setup.documentUrl, 'the URL is the client_id')
    const [authorizationUrl] = oauth.authorizationUrls
    assert.equal(authorizationUrl?.searchParams.get('client_id'), setup.documentUrl)
    assert.deepEqual(
      oauth.lastRedirect?.trace.map((step) => `${step.method} ${new URL(step.url).pathname} ${step.status}`),
      [
        'GET /authorize 200',
        'POST /consent 200',
        'GET /login/oauth/authorize 302',
        'GET /github/callback 302',
      ],
    )
    assert.ok(oauth.tokens()?.access_token.startsWith('mxcp_at_'))
    assertServedFromDocument(setup)
    assert.equal((await setup.cli.stop('SIGTERM')).code, 0)
  })

  test('mcp-remote with --client-metadata-url, driven headlessly, signs in the same way and calls a tool in an MCP session (the default)', async () => {
    const callbackPort = await freePort()
    const callback = `http://localhost:${callbackPort}/oauth/callback`
    const setup = await serveWithDocument([callback])
    const remoteHome = mkdtempSync(join(tmpdir(), 'mcp-remote-'))
    cleanups.push(() => rmSync(remoteHome, { recursive: true, force: true }))
    const remote = new McpRemote(
      [setup.url, String(callbackPort), '--client-metadata-url', setup.documentUrl],
      remoteHome,
    )
    cleanups.push(() => remote.stop())

    // mcp-remote prints the authorization URL; the headless browser plays the user.
    await remote.waitFor(
      (text) => /Please authorize this client by visiting:\n\S+/.test(text),
      'authorization URL',
    )
    const authorizationUrl = /Please authorize this client by visiting:\n(\S+)/.exec(remote.stderr)?.[1] ?? ''
    assert.equal(new URL(authorizationUrl).searchParams.get('client_id'), setup.documentUrl)
    const browsed = await new HeadlessBrowser().run(authorizationUrl, { stopAt: callback })
    assert.ok(browsed.params.get('code'))
    const landing = await fetch(browsed.url)
    assert.equal(landing.status, 200, 'mcp-remote took the code at its callback')
    await remote.waitFor((text) => text.includes('Proxy established successfully'), 'proxy')

    const initialized = await remote.request(1, 'initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'cimd-e2e', version: '1.0.0' },
    })
    assert.ok(initialized['result'], JSON.stringify(initialized))
    remote.notify('notifications/initialized')
    const called = await remote.request(2, 'tools/call', { name: 'whoami', arguments: {} })
    assert.deepEqual(resultJson(called['result']), ADA_SEEN_BY_SQL)
    assert.ok(
      setup.cli.logLines().some((line) => line['msg'] === 'MCP session opened'),
      'mcp-remote worked in an MCP session: the default of mxcp serve',
    )
    assertServedFromDocument(setup)
    remote.stop()
    assert.equal((await setup.cli.stop('SIGTERM')).code, 0)
  })

  test('mcp-remote with dynamic registration (its usual path) signs in against the default mxcp serve and calls a tool in an MCP session', async () => {
    const project = copyExampleProject()
    cleanups.push(() => project.dispose())
    const github = await startGitHub()
    cleanups.push(() => github.close())
    const configPath = writeGitHubUserConfig(project.path, github)
    const cli = startCli(['serve', '--project', project.path, '--host', '127.0.0.1', '--port', '0'], {
      ...githubEnv(github),
      HOME: project.path,
      MXCP_CONFIG: configPath,
    })
    cleanups.push(async () => {
      await cli.stop()
    })
    const url = await cli.url()
    const callbackPort = await freePort()
    const remoteHome = mkdtempSync(join(tmpdir(), 'mcp-remote-'))
    cleanups.push(() => rmSync(remoteHome, { recursive: true, force: true }))
    const remote = new McpRemote([url, String(callbackPort)], remoteHome)
    cleanups.push(() => remote.stop())

    await remote.waitFor(
      (text) => /Please authorize this client by visiting:\n\S+/.test(text),
      'authorization URL',
    )
    const authorizationUrl = /Please authorize this client by visiting:\n(\S+)/.exec(remote.stderr)?.[1] ?? ''
    const browsed = await new HeadlessBrowser().run(authorizationUrl, {
      stopAt: `http://localhost:${callbackPort}/oauth/callback`,
    })
    assert.equal((await fetch(browsed.url)).status, 200, 'mcp-remote took the code at its callback')
    await remote.waitFor((text) => text.includes('Proxy established successfully'), 'proxy')

    const initialized = await remote.request(1, 'initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'dcr-e2e', version: '1.0.0' },
    })
    assert.ok(initialized['result'], JSON.stringify(initialized))
    remote.notify('notifications/initialized')
    const called = await remote.request(2, 'tools/call', { name: 'whoami', arguments: {} })
    assert.deepEqual(resultJson(called['result']), ADA_SEEN_BY_SQL)
    const logs = cli.logLines()
    assert.ok(
      logs.some((line) => line['msg'] === 'client registered'),
      'it registered (RFC 7591)',
    )
    assert.ok(
      logs.some((line) => line['msg'] === 'MCP session opened'),
      'it worked in an MCP session',
    )
    remote.stop()
    assert.equal((await cli.stop('SIGTERM')).code, 0)
  })
})
