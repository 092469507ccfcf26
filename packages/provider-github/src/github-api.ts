import {
  readJson,
  type UpstreamHttpOptions,
  UpstreamOAuthError,
  UpstreamResponseError,
  UpstreamUnavailableError,
  upstreamFetch,
} from '@mxcp/auth-core/provider-kit'
import { gitHubErrorMessage, isGitHubRateLimit } from './github-rate-limit.js'

/** GitHub's REST API refuses requests without one (403), so every call names us. */
const USER_AGENT = 'mxcp-auth'
const API_VERSION = '2022-11-28'
/** Pages followed on a list endpoint (100 items each). */
const MAX_PAGES = 10

/** The few REST API calls a GitHub login needs, with GitHub's status codes mapped to the upstream error set. */
export class GitHubApi {
  readonly #base: string
  readonly #http: UpstreamHttpOptions

  /** `base` is `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise Server. */
  constructor(base: string, http: UpstreamHttpOptions) {
    this.#base = base.replace(/\/+$/, '')
    this.#http = http
  }

  /** GETs one resource. Statuses listed in `absentOn` yield `undefined` instead of an error. */
  async get(path: string, token: string, absentOn: readonly number[] = []): Promise<unknown> {
    return (await this.#get(new URL(`${this.#base}${path}`), token, absentOn))?.body
  }

  /** GETs every page of a list (following `Link: rel="next"` on the same origin). */
  async list(path: string, token: string, absentOn: readonly number[] = []): Promise<unknown[] | undefined> {
    const items: unknown[] = []
    let next: URL | undefined = new URL(`${this.#base}${path}?per_page=100`)
    for (let page = 0; next && page < MAX_PAGES; page++) {
      const answer = await this.#get(next, token, absentOn)
      if (!answer) return undefined
      if (!Array.isArray(answer.body))
        throw new UpstreamResponseError(
          this.#http.provider,
          `${this.#http.provider} ${path} is not a JSON array`,
        )
      items.push(...answer.body)
      next = answer.next
    }
    return items
  }

  async #get(
    url: URL,
    token: string,
    absentOn: readonly number[],
  ): Promise<{ body: unknown; next: URL | undefined } | undefined> {
    const provider = this.#http.provider
    const response = await upstreamFetch(
      url,
      {
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${token}`,
          'user-agent': USER_AGENT,
          'x-github-api-version': API_VERSION,
        },
      },
      this.#http,
    )
    if (response.status === 200)
      return { body: await readJson(response, provider), next: this.#nextPage(response, url) }
    const message = await gitHubErrorMessage(response)
    // A rate limit first: it is "GitHub is busy", never an absence (no email, no orgs).
    if (isGitHubRateLimit(response.status, response.headers, message)) {
      throw new UpstreamUnavailableError(
        provider,
        `${provider} rate limit exceeded at ${url.pathname}`,
        response.status,
      )
    }
    if (absentOn.includes(response.status)) return undefined
    if (response.status === 401)
      throw new UpstreamOAuthError(provider, 'invalid_token', `${url.pathname} answered 401`)
    if (response.status === 403)
      throw new UpstreamOAuthError(provider, 'access_denied', `${url.pathname} answered 403`)
    throw new UpstreamResponseError(
      provider,
      `${provider} ${url.pathname} answered ${response.status}`,
      response.status,
    )
  }

  /** The `rel="next"` link, if it stays on the API's origin (the token is never sent elsewhere). */
  #nextPage(response: Response, current: URL): URL | undefined {
    const link = response.headers.get('link') ?? ''
    const match = /<([^>]+)>\s*;\s*rel="next"/.exec(link)
    if (!match?.[1]) return undefined
    const next = new URL(match[1], current)
    return next.origin === current.origin ? next : undefined
  }
}
