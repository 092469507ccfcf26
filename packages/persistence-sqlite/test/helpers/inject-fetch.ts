import type { FastifyInstance } from 'fastify'

/**
 * A `fetch` that hands requests for `origin` to `app.inject()` and sends everything else over the
 * network (to the loopback fake identity provider), so a headless browser can walk a flow that
 * crosses both.
 */
export function injectFetch(app: FastifyInstance, origin: string): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input)
    if (url.origin !== origin) return fetch(input, init)
    const headers: Record<string, string> = {}
    new Headers(init?.headers).forEach((value, key) => {
      headers[key] = value
    })
    const body = init?.body
    const response = await app.inject({
      method: init?.method === 'POST' ? 'POST' : 'GET',
      url: `${url.pathname}${url.search}`,
      headers: { ...headers, host: url.host },
      ...(typeof body === 'string' || body instanceof URLSearchParams ? { payload: body.toString() } : {}),
    })
    const answer = new Headers()
    for (const [key, value] of Object.entries(response.headers)) {
      if (Array.isArray(value)) for (const item of value) answer.append(key, String(item))
      else if (value !== undefined) answer.set(key, String(value))
    }
    const empty = response.statusCode === 204 || response.statusCode === 304
    return new Response(empty ? null : response.rawPayload, { status: response.statusCode, headers: answer })
  }
}
