import type { FastifyInstance } from 'fastify'

function toHeaderObject(init: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {}
  new Headers(init).forEach((value, key) => {
    out[key] = value
  })
  return out
}

/**
 * A `fetch` that sends requests for `origin` to `app.inject()` (no socket) and everything else
 * to the real network (the loopback fake identity provider). Lets the headless browser walk a
 * flow that crosses our app and a real loopback server.
 */
export function injectFetch(app: FastifyInstance, origin: string): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input)
    if (url.origin !== origin) return fetch(input, init)
    const method = (init?.method ?? 'GET').toUpperCase()
    const body = init?.body
    const response = await app.inject({
      method: method as 'GET',
      url: `${url.pathname}${url.search}`,
      headers: { ...toHeaderObject(init?.headers), host: url.host },
      ...(typeof body === 'string' || body instanceof URLSearchParams ? { payload: body.toString() } : {}),
    })
    const headers = new Headers()
    for (const [key, value] of Object.entries(response.headers)) {
      if (Array.isArray(value)) for (const item of value) headers.append(key, String(item))
      else if (value !== undefined) headers.set(key, String(value))
    }
    const empty = response.statusCode === 204 || response.statusCode === 304 || method === 'HEAD'
    return new Response(empty ? null : response.rawPayload, { status: response.statusCode, headers })
  }
}
