import { CookieJar } from './cookie-jar.js'
import { type FormButton, type HtmlForm, pageText, parseForms, parseMetaRefresh } from './html-form.js'

/** What the simulated user clicks on a consent or login page. */
export type ConsentDecision = 'approve' | 'deny'

/** Picks the button to click on a form; undefined means "no suitable button". */
export type ButtonChooser = (form: HtmlForm, page: URL) => FormButton | undefined

export interface HeadlessBrowserOptions {
  /** Replaces global fetch (e.g. to route one origin to `app.inject()`). */
  readonly fetch?: typeof fetch
  /** Navigations before giving up (default 20): a redirect loop fails instead of hanging. */
  readonly maxSteps?: number
  readonly jar?: CookieJar
}

export interface BrowseOptions {
  /**
   * The client's redirect URI. A navigation whose URL starts with it ends the run and is never
   * fetched, so the URI need not be bound to any server (MCP-NOTES B.3).
   */
  readonly stopAt: string
  /** Approve (default) or deny, or a function that picks the button itself. */
  readonly decision?: ConsentDecision | ButtonChooser
}

/** One request the browser made. The URL is kept without its query string. */
export interface BrowserStep {
  readonly method: 'GET' | 'POST'
  readonly url: string
  readonly status: number
}

export interface BrowseResult {
  /** The final navigation target (starts with `stopAt`). */
  readonly url: URL
  readonly params: URLSearchParams
  readonly trace: readonly BrowserStep[]
}

/** The run ended somewhere other than the redirect URI. */
export class BrowserError extends Error {
  readonly status: number | undefined
  readonly url: string
  /** Visible text of the page the browser stopped on. */
  readonly pageText: string
  readonly trace: readonly BrowserStep[]
  constructor(
    message: string,
    details: { status?: number; url: string; pageText?: string; trace: readonly BrowserStep[] },
  ) {
    super(message)
    this.name = 'BrowserError'
    this.status = details.status
    this.url = details.url
    this.pageText = details.pageText ?? ''
    this.trace = details.trace
  }
}

const APPROVE_LABEL = /approve|allow|accept|authori[sz]e|sign in|log ?in|continue|yes/i
const DENY_LABEL = /deny|cancel|reject|decline|no\b/i

interface Navigation {
  readonly url: URL
  readonly method: 'GET' | 'POST'
  readonly body?: URLSearchParams
}

/**
 * A redirect-following "user agent" for OAuth tests: fetch with `redirect: 'manual'`, a cookie
 * jar, 3xx and `<meta http-equiv="refresh">` followed, and on an HTML page with a form the form
 * is submitted with the chosen button (Approve unless told otherwise). It stops when a navigation
 * targets the client's redirect URI and returns that URL's query parameters.
 */
export class HeadlessBrowser {
  readonly jar: CookieJar
  readonly #fetch: typeof fetch
  readonly #maxSteps: number

  constructor(options: HeadlessBrowserOptions = {}) {
    this.jar = options.jar ?? new CookieJar()
    this.#fetch = options.fetch ?? fetch
    this.#maxSteps = options.maxSteps ?? 20
  }

  /** Opens `start` and browses until a navigation reaches `options.stopAt`. */
  async run(start: string | URL, options: BrowseOptions): Promise<BrowseResult> {
    const trace: BrowserStep[] = []
    let next: Navigation = { url: new URL(start), method: 'GET' }
    for (let step = 0; step < this.#maxSteps; step++) {
      if (next.url.href.startsWith(options.stopAt)) {
        return { url: next.url, params: new URLSearchParams(next.url.search), trace }
      }
      const response = await this.#request(next)
      const where = `${next.url.origin}${next.url.pathname}`
      trace.push({ method: next.method, url: where, status: response.status })
      const location = response.headers.get('location')
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel()
        next = { url: new URL(location, next.url), method: 'GET' }
        continue
      }
      const html = await response.text()
      const isHtml = (response.headers.get('content-type') ?? '').includes('text/html')
      if (response.status === 200 && isHtml) {
        const refresh = parseMetaRefresh(html, next.url)
        if (refresh) {
          next = { url: refresh, method: 'GET' }
          continue
        }
        const form = parseForms(html, next.url)[0]
        if (form) {
          next = this.#submit(form, next.url, options.decision ?? 'approve', trace)
          continue
        }
      }
      throw new BrowserError(`The browser stopped at ${where} (${response.status}): ${pageText(html)}`, {
        status: response.status,
        url: where,
        pageText: pageText(html, 2000),
        trace,
      })
    }
    throw new BrowserError(`The browser gave up after ${this.#maxSteps} navigations`, {
      url: next.url.href,
      trace,
    })
  }

  async #request(navigation: Navigation): Promise<Response> {
    const headers: Record<string, string> = {
      accept: 'text/html,application/xhtml+xml',
      'user-agent': 'mxcp-headless-browser',
    }
    const cookie = this.jar.headerFor(navigation.url)
    if (cookie) headers['cookie'] = cookie
    if (navigation.body) headers['content-type'] = 'application/x-www-form-urlencoded'
    const response = await this.#fetch(navigation.url, {
      method: navigation.method,
      headers,
      body: navigation.body?.toString(),
      redirect: 'manual',
    })
    this.jar.store(navigation.url, response.headers.getSetCookie())
    return response
  }

  #submit(
    form: HtmlForm,
    page: URL,
    decision: ConsentDecision | ButtonChooser,
    trace: readonly BrowserStep[],
  ): Navigation {
    const button = typeof decision === 'function' ? decision(form, page) : chooseButton(form, decision)
    if (!button && typeof decision !== 'function' && decision === 'deny') {
      throw new BrowserError(`The form at ${page.pathname} has no Deny button`, { url: page.href, trace })
    }
    const fields = new URLSearchParams()
    for (const [name, value] of form.fields) fields.append(name, value)
    if (button?.name) fields.append(button.name, button.value)
    if (form.method === 'POST') return { url: form.action, method: 'POST', body: fields }
    const target = new URL(form.action)
    target.search = fields.toString()
    return { url: target, method: 'GET' }
  }
}

/** The Approve (or Deny) button: by value first, then by label; Approve falls back to the first button. */
export function chooseButton(form: HtmlForm, decision: ConsentDecision): FormButton | undefined {
  const byValue = form.buttons.find((button) => button.value.toLowerCase() === decision)
  if (byValue) return byValue
  const label = decision === 'approve' ? APPROVE_LABEL : DENY_LABEL
  const byLabel = form.buttons.find((button) => label.test(button.label) || label.test(button.value))
  if (byLabel) return byLabel
  return decision === 'approve' ? form.buttons[0] : undefined
}
