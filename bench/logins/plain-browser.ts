import { CookieJar } from '@mxcp/testing/browser/cookie-jar'
import type { BrowserStep, ButtonChooser } from '@mxcp/testing/browser/headless-browser'
import { pageText, parseForms, parseMetaRefresh } from '@mxcp/testing/browser/html-form'
import { send } from './plain-http.js'

/** Navigations before giving up: a redirect loop fails instead of hanging. */
const MAX_NAVIGATIONS = 12

interface Navigation {
  readonly url: URL
  readonly method: 'GET' | 'POST'
  readonly body?: URLSearchParams
}

/**
 * The browser side of a login, as `HeadlessBrowser` of `@mxcp/testing` browses (same cookie
 * jar, same form and meta-refresh parsing, same rules: 3xx and `<meta http-equiv="refresh">`
 * followed, a page's first form submitted with the button `choose` picks, cookies by host),
 * over kept-alive `node:http` instead of `fetch`. Stops when a navigation targets `stopAt`
 * (never fetched) and returns its query parameters and the requests made; throws on any other
 * page.
 */
export async function browseToRedirect(
  start: URL,
  stopAt: string,
  choose: ButtonChooser,
): Promise<{ readonly params: URLSearchParams; readonly trace: readonly BrowserStep[] }> {
  const jar = new CookieJar()
  const trace: BrowserStep[] = []
  let next: Navigation = { url: start, method: 'GET' }
  for (let step = 0; step < MAX_NAVIGATIONS; step++) {
    if (next.url.href.startsWith(stopAt)) return { params: next.url.searchParams, trace }
    const headers: Record<string, string> = {
      accept: 'text/html,application/xhtml+xml',
      'user-agent': 'mxcp-bench-browser',
    }
    const cookie = jar.headerFor(next.url)
    if (cookie) headers['cookie'] = cookie
    if (next.body) headers['content-type'] = 'application/x-www-form-urlencoded'
    const response = await send({
      method: next.method,
      url: next.url,
      headers,
      ...(next.body && { body: next.body.toString() }),
    })
    jar.store(next.url, response.setCookies)
    const where = `${next.url.origin}${next.url.pathname}`
    trace.push({ method: next.method, url: where, status: response.status })
    if (response.status >= 300 && response.status < 400 && response.location) {
      next = { url: new URL(response.location, next.url), method: 'GET' }
      continue
    }
    if (response.status === 200 && response.contentType.includes('text/html')) {
      const refresh = parseMetaRefresh(response.body, next.url)
      if (refresh) {
        next = { url: refresh, method: 'GET' }
        continue
      }
      const form = parseForms(response.body, next.url)[0]
      const button = form && choose(form, next.url)
      if (form && button) {
        const fields = new URLSearchParams()
        for (const [name, value] of form.fields) fields.append(name, value)
        if (button.name) fields.append(button.name, button.value)
        next =
          form.method === 'POST'
            ? { url: form.action, method: 'POST', body: fields }
            : { url: new URL(`?${fields}`, form.action), method: 'GET' }
        continue
      }
    }
    throw new Error(`the browser stopped at ${where} (${response.status}): ${pageText(response.body)}`)
  }
  throw new Error(`the browser gave up after ${MAX_NAVIGATIONS} navigations`)
}
