import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { AttackHarness, launchChromium, type RegisteredClient } from '../src/index.js'

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-artifacts')

/** What the MCP client's loopback callback server saw. */
interface ClientVisit {
  readonly url: URL
  readonly headers: IncomingHttpHeaders
}

/**
 * A stand-in for the MCP client's loopback redirect URI (RFC 8252 §7.3): it records each visit
 * and says "signed in". `/frame` embeds a URL in an iframe, as a hostile page would.
 */
async function startClientServer(): Promise<{ server: Server; origin: string; visits: ClientVisit[] }> {
  const visits: ClientVisit[] = []
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    if (url.pathname === '/frame') {
      const target = url.searchParams.get('src') ?? ''
      response.writeHead(200, { 'content-type': 'text/html' })
      response.end(
        `<!doctype html><title>hostile</title><iframe id="victim" src="${target.replaceAll('"', '&quot;')}" width="600" height="600"></iframe>`,
      )
      return
    }
    visits.push({ url, headers: request.headers })
    response.writeHead(200, { 'content-type': 'text/html' })
    response.end('<!doctype html><title>Client</title><h1>Signed in; you can close this window.</h1>')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, visits }
}

/**
 * The consent page in a real browser: Debian's Chromium, driven by playwright-core, against the
 * server listening on loopback and the GitHub stand-in. Approve must complete the flow (through
 * the hand-over page, which the CSP `form-action 'self'` would break with a plain 302), Deny must
 * return `access_denied`, the page must be readable on a desktop and a phone, and a framing page
 * must get nothing.
 */
describe('consent page in Chromium', () => {
  let h: AttackHarness
  let client: RegisteredClient
  let browser: Browser
  let clientServer: Awaited<ReturnType<typeof startClientServer>>

  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true })
    h = await AttackHarness.start({ listen: true })
    clientServer = await startClientServer()
    client = await h.register({ client_name: 'Claude Desktop' })
    browser = await launchChromium()
  })
  after(async () => {
    await browser?.close()
    await new Promise<void>((resolve) => clientServer.server.close(() => resolve()))
    await h.close()
  })

  /** The client's redirect URI on its real (ephemeral) port: a registered loopback URI matches on any port. */
  const redirectUri = (): string => `${clientServer.origin}/callback`

  async function openConsent(
    context: BrowserContext,
  ): Promise<{ page: Page; verifier: string; state: string }> {
    const request = h.authorizeUrl(client.clientId, { redirect_uri: redirectUri(), scope: 'mxcp:access' })
    const page = await context.newPage()
    const response = await page.goto(request.url.href)
    assert.equal(response?.status(), 200)
    return { page, verifier: request.verifier, state: request.state }
  }

  test('the page shows the client name, the redirect host and the scopes; screenshots on desktop and phone', async () => {
    const desktop = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    try {
      const { page } = await openConsent(desktop)
      const heading = await page.textContent('h1')
      assert.match(heading ?? '', /Allow Claude Desktop to use 127\.0\.0\.1:\d+\?/)
      const text = (await page.textContent('main')) ?? ''
      assert.match(text, /Claude Desktop/)
      assert.ok(text.includes(new URL(redirectUri()).host), 'the redirect host is shown')
      assert.match(text, /mxcp:access/)
      assert.ok(await page.isVisible('button[value="approve"]'))
      assert.ok(await page.isVisible('button[value="deny"]'))
      await page.screenshot({ path: join(ARTIFACTS, 'consent.png'), fullPage: true })
    } finally {
      await desktop.close()
    }
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    })
    try {
      const { page } = await openConsent(phone)
      // Readable on a phone: nothing wider than the screen, buttons big enough to tap.
      // Evaluated in the page (a string: this package compiles without the DOM library).
      const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'))
      assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`)
      const approve = await page.locator('button[value="approve"]').boundingBox()
      assert.ok(approve && approve.height >= 44, 'the Approve button is at least 44 px tall')
      await page.screenshot({ path: join(ARTIFACTS, 'consent-phone.png'), fullPage: true })
    } finally {
      await phone.close()
    }
  })

  test('Approve completes the flow at the stand-in provider and lands on the redirect URI with a code', async () => {
    const context = await browser.newContext()
    try {
      const { page, verifier, state } = await openConsent(context)
      h.reset()
      clientServer.visits.length = 0
      await Promise.all([page.waitForURL(`${redirectUri()}?**`), page.click('button[value="approve"]')])
      const landed = new URL(page.url())
      assert.equal(`${landed.origin}${landed.pathname}`, redirectUri())
      const code = landed.searchParams.get('code') ?? ''
      assert.match(code, /^mxcp_ac_/)
      assert.equal(landed.searchParams.get('state'), state)
      assert.equal(landed.searchParams.get('iss'), h.base)
      assert.equal(h.standIn.requestsTo('authorize').length, 1, 'the browser went through GitHub')
      // No referrer: neither GitHub nor the client learns the URL the browser came from.
      assert.equal(h.standIn.requestsTo('authorize')[0]?.headers.referer, undefined)
      assert.equal(clientServer.visits[0]?.headers.referer, undefined)
      // The code is good for tokens, and the token for /mcp.
      const tokens = await h.token({
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: redirectUri(),
        client_id: client.clientId,
        resource: h.resource,
      })
      assert.equal(tokens.statusCode, 200, tokens.body)
      const access = tokens.json<Record<string, string>>()['access_token']
      const whoami = await h.call(access)
      assert.equal(whoami.json<Record<string, unknown>>()['username'], 'octocat')
    } finally {
      await context.close()
    }
  })

  test('Deny lands on the redirect URI with access_denied, and nothing is stored', async () => {
    const context = await browser.newContext()
    try {
      const { page, state } = await openConsent(context)
      h.reset()
      await Promise.all([page.waitForURL(`${redirectUri()}?**`), page.click('button[value="deny"]')])
      const landed = new URL(page.url())
      assert.equal(landed.searchParams.get('error'), 'access_denied')
      assert.equal(landed.searchParams.get('state'), state)
      assert.equal(landed.searchParams.get('code'), null)
      assert.deepEqual(h.store.issued(), [])
      assert.equal(h.standIn.requests.length, 0, 'nothing went to GitHub')
    } finally {
      await context.close()
    }
  })

  test('a hostile page cannot frame the consent page', async () => {
    const context = await browser.newContext()
    try {
      const page = await context.newPage()
      const target = h.authorizeUrl(client.clientId, { redirect_uri: redirectUri() }).url.href
      await page.goto(`${clientServer.origin}/frame?src=${encodeURIComponent(target)}`)
      await page.waitForLoadState('load')
      const framed = page.frames().filter((frame) => frame !== page.mainFrame())
      assert.equal(framed.length, 1)
      assert.notEqual(framed[0]?.url(), target, 'Chromium refused to load the consent page in the frame')
      const approveInFrame = await framed[0]?.$('button[value="approve"]').catch(() => null)
      assert.equal(approveInFrame ?? null, null, 'the consent page did not render inside the frame')
    } finally {
      await context.close()
    }
  })
})
