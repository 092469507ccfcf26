import assert from 'node:assert/strict'
import { parseForms, parseMetaRefresh } from '@mxcp/testing'
import { BASE, type Harness, pathOf } from './harness.js'

/** Where a hand-walked sign-in stands once consent is approved: at the provider's door. */
export interface UpstreamLogin {
  /** The provider's authorization URL our consent page hands the browser to. */
  readonly upstream: URL
  /** The browser's cookies: the consent cookie and the login cookie. */
  readonly cookies: string
  /** The `state` the client sent, which must come back to it. */
  readonly clientState: string
}

/** Walks consent by hand and stops at the provider: returns the upstream URL and the browser's cookies. */
export async function startUpstreamLogin(h: Harness, clientId: string): Promise<UpstreamLogin> {
  const { url, state } = h.authorizeUrl(clientId)
  const page = await h.app.inject({ method: 'GET', url: pathOf(url) })
  const consentCookie = String(page.headers['set-cookie']).split(';')[0]
  const [consent] = parseForms(page.body, new URL(url))
  assert.ok(consent)
  const approved = await h.app.inject({
    method: 'POST',
    url: '/consent',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: consentCookie },
    payload: new URLSearchParams([
      ...consent.fields.map(([name, value]): [string, string] => [name, value]),
      ['decision', 'approve'],
    ]).toString(),
  })
  const loginCookie = String(approved.headers['set-cookie']).split(';')[0]
  const upstream = parseMetaRefresh(approved.body, new URL(BASE))
  assert.ok(upstream)
  return { upstream, cookies: `${consentCookie}; ${loginCookie}`, clientState: state }
}

/** Lets the fake provider answer the authorization request; returns our callback URL it redirects to. */
export async function upstreamRedirect(upstream: URL): Promise<URL> {
  const response = await fetch(upstream, { redirect: 'manual' })
  assert.equal(response.status, 302)
  return new URL(String(response.headers.get('location')))
}
