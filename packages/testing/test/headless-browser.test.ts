import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import formbody from '@fastify/formbody'
import Fastify, { type FastifyInstance } from 'fastify'
import {
  BrowserError,
  CookieJar,
  chooseButton,
  HeadlessBrowser,
  parseForms,
  parseMetaRefresh,
} from '../src/index.js'

const STOP = 'http://127.0.0.1:8999/callback'

/** A tiny consent server: a cookie on the page, a form, a 302 or a meta refresh afterwards. */
async function consentServer(): Promise<{
  app: FastifyInstance
  url: string
  posts: Record<string, string>[]
}> {
  const app = Fastify()
  await app.register(formbody)
  const posts: Record<string, string>[] = []
  app.get('/start', async (_request, reply) => reply.redirect('/consent?x=1', 302))
  app.get('/consent', async (_request, reply) => {
    reply.header('set-cookie', 'csrf=abc123; Path=/; HttpOnly')
    return reply.type('text/html; charset=utf-8').send(`<!doctype html><title>Consent</title>
      <form method="post" action="/decide">
        <input type="hidden" name="token" value="a&amp;b&quot;c">
        <input type="text" name="who" value='me'>
        <input type="checkbox" name="unchecked" value="1">
        <input type="checkbox" name="remember" value="yes" checked>
        <button type="submit" name="decision" value="deny">Deny</button>
        <button type="submit" name="decision" value="approve">Approve</button>
      </form>`)
  })
  app.post('/decide', async (request, reply) => {
    const body = request.body as Record<string, string>
    posts.push({ ...body, cookie: request.headers.cookie ?? '' })
    if (body['decision'] === 'approve') return reply.redirect(`${STOP}?code=the-code&state=s1`, 302)
    return reply
      .type('text/html')
      .send(`<meta http-equiv="refresh" content="0; url=${STOP}?error=access_denied&amp;state=s1">`)
  })
  app.get('/dead-end', async (_request, reply) =>
    reply.code(400).type('text/html').send('<h1>Invalid state parameter</h1>'),
  )
  app.get('/loop', async (_request, reply) => reply.redirect('/loop', 302))
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, url, posts }
}

describe('headless browser', () => {
  let server: Awaited<ReturnType<typeof consentServer>>
  before(async () => {
    server = await consentServer()
  })
  after(async () => {
    await server.app.close()
  })

  test('follows redirects, keeps cookies, submits the form with Approve and stops at the redirect URI', async () => {
    const browser = new HeadlessBrowser()
    const result = await browser.run(`${server.url}/start`, { stopAt: STOP })
    assert.equal(result.params.get('code'), 'the-code')
    assert.equal(result.params.get('state'), 's1')
    const post = server.posts.at(-1)
    assert.equal(post?.['decision'], 'approve')
    assert.equal(post?.['token'], 'a&b"c')
    assert.equal(post?.['who'], 'me')
    assert.equal(post?.['remember'], 'yes')
    assert.equal(post?.['unchecked'], undefined)
    assert.equal(post?.['cookie'], 'csrf=abc123')
    assert.deepEqual(
      result.trace.map((step) => `${step.method} ${new URL(step.url).pathname} ${step.status}`),
      ['GET /start 302', 'GET /consent 200', 'POST /decide 302'],
    )
  })

  test('clicks Deny on request and follows a meta refresh to the redirect URI', async () => {
    const result = await new HeadlessBrowser().run(`${server.url}/consent`, {
      stopAt: STOP,
      decision: 'deny',
    })
    assert.equal(result.params.get('error'), 'access_denied')
    assert.equal(server.posts.at(-1)?.['decision'], 'deny')
  })

  test('an error page ends the run with its status and text', async () => {
    await assert.rejects(
      new HeadlessBrowser().run(`${server.url}/dead-end`, { stopAt: STOP }),
      (error: unknown) => {
        assert.ok(error instanceof BrowserError)
        assert.equal(error.status, 400)
        assert.match(error.pageText, /Invalid state parameter/)
        return true
      },
    )
  })

  test('a redirect loop fails after maxSteps instead of hanging', async () => {
    await assert.rejects(
      new HeadlessBrowser({ maxSteps: 5 }).run(`${server.url}/loop`, { stopAt: STOP }),
      /gave up after 5/,
    )
  })

  test('the redirect URI is never fetched', async () => {
    let fetched = 0
    const counting: typeof fetch = async (input, init) => {
      fetched++
      return fetch(input, init)
    }
    await new HeadlessBrowser({ fetch: counting }).run(`${server.url}/start`, { stopAt: STOP })
    assert.equal(fetched, 3)
  })
})

describe('cookie jar', () => {
  test('cookies are scoped by host and path, expire, and are deleted by Max-Age=0', () => {
    let now = 1_000_000
    const jar = new CookieJar(() => now)
    const site = new URL('http://127.0.0.1:4000/a/b')
    jar.store(site, ['root=1; Path=/', 'deep=2; Path=/a', 'short=3; Path=/; Max-Age=10'])
    assert.equal(jar.headerFor(new URL('http://127.0.0.1:5000/a/c')), 'root=1; deep=2; short=3')
    assert.equal(jar.headerFor(new URL('http://127.0.0.1:4000/other')), 'root=1; short=3')
    assert.equal(jar.headerFor(new URL('http://localhost:4000/')), undefined)
    now += 10_000
    assert.equal(jar.headerFor(new URL('http://127.0.0.1:4000/')), 'root=1')
    jar.store(site, ['root=; Path=/; Max-Age=0'])
    assert.equal(jar.headerFor(new URL('http://127.0.0.1:4000/')), undefined)
  })

  test('Secure cookies go to https and loopback hosts only', () => {
    const jar = new CookieJar()
    jar.store(new URL('https://example.test/'), ['s=1; Path=/; Secure'])
    assert.equal(jar.headerFor(new URL('https://example.test/')), 's=1')
    assert.equal(jar.headerFor(new URL('http://example.test/')), undefined)
    jar.store(new URL('http://localhost/'), ['l=1; Path=/; Secure'])
    assert.equal(jar.headerFor(new URL('http://localhost/')), 'l=1')
  })
})

describe('html form parsing', () => {
  const page = new URL('https://as.test/authorize?x=1')

  test('a form without action posts to the page URL; GET is the default method', () => {
    const [form] = parseForms(
      '<form><input name="a" value="1"><select name="s"><option value="x">X<option value="y" selected>Y</select></form>',
      page,
    )
    assert.equal(form?.action.href, page.href)
    assert.equal(form?.method, 'GET')
    assert.deepEqual(form?.fields, [
      ['a', '1'],
      ['s', 'y'],
    ])
  })

  test('buttons are read with their name, value and label; Approve is chosen by value, then by label', () => {
    const [form] = parseForms(
      '<form method="POST" action="/c"><button name="d" value="no">Cancel</button><input type="submit" value="Allow access"></form>',
      page,
    )
    assert.ok(form)
    assert.equal(form.action.href, 'https://as.test/c')
    assert.equal(chooseButton(form, 'approve')?.label, 'Allow access')
    assert.equal(chooseButton(form, 'deny')?.value, 'no')
  })

  test('meta refresh targets are resolved against the page', () => {
    assert.equal(
      parseMetaRefresh('<meta http-equiv="Refresh" content="0;URL=\'/next?a=1&amp;b=2\'">', page)?.href,
      'https://as.test/next?a=1&b=2',
    )
    assert.equal(parseMetaRefresh('<meta name="viewport" content="width=device-width">', page), undefined)
  })
})
