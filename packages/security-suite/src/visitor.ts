import { CookieJar } from '@mxcp/testing'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'

/** Form fields; `undefined` leaves a field out. */
export type FormFields = Readonly<Record<string, string | undefined>>

/** `application/x-www-form-urlencoded` body of `fields`. */
export function formBody(fields: FormFields): string {
  const present = Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined)
  return new URLSearchParams(present).toString()
}

/** Every `Set-Cookie` header of an injected response. */
export function setCookies(response: LightMyRequestResponse): string[] {
  const header = response.headers['set-cookie']
  if (header === undefined) return []
  return (Array.isArray(header) ? header : [header]).map(String)
}

/**
 * One browser, as far as our server can tell: a cookie jar in front of `app.inject()`. Two
 * visitors are two browsers (a victim and an attacker). Cookies are kept by real time, not by the
 * test's fake clock, so a test that moves the clock tests the server's expiry, not the jar's.
 */
export class Visitor {
  readonly jar = new CookieJar()
  readonly #app: FastifyInstance
  readonly #base: string

  constructor(app: FastifyInstance, base: string) {
    this.#app = app
    this.#base = base
  }

  /** Sends a request to our app with this browser's cookies and keeps the cookies it sets. */
  async request(options: InjectOptions & { readonly url: string }): Promise<LightMyRequestResponse> {
    const url = new URL(options.url, this.#base)
    const cookie = this.jar.headerFor(url)
    const response = await this.#app.inject({
      ...options,
      url: `${url.pathname}${url.search}`,
      headers: { host: url.host, ...(cookie ? { cookie } : {}), ...options.headers },
    })
    this.jar.store(url, setCookies(response))
    return response
  }

  /** GET `url` (absolute, or a path on our base URL). */
  get(url: string | URL, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.request({ method: 'GET', url: String(url), headers })
  }

  /** POST a form to `url`. */
  post(
    url: string,
    fields: FormFields,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    return this.request({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: formBody(fields),
    })
  }

  /** The `Cookie` header this browser would send to our server. */
  cookieHeader(): string | undefined {
    return this.jar.headerFor(new URL(this.#base))
  }
}
