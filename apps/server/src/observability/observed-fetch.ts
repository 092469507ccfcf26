import type { FastifyBaseLogger } from 'fastify'
import type { ServerMetrics } from './metrics.js'

/**
 * A `fetch` for the identity provider that logs each call at debug (method, URL without query
 * string or fragment: they may carry a code or a token; status; duration) and times it in the
 * metrics. Headers and bodies are never logged: they carry our client secret and the tokens.
 */
export function observedFetch(
  provider: string,
  log: FastifyBaseLogger,
  metrics: ServerMetrics | undefined,
  inner: typeof fetch = fetch,
): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET')
    const where = `${url.origin}${url.pathname}`
    const started = performance.now()
    try {
      const response = await inner(input, init)
      const seconds = (performance.now() - started) / 1000
      metrics?.upstream.observe({ provider, status: String(response.status) }, seconds)
      log.debug(
        {
          upstream: { provider, method, url: where, status: response.status, ms: Math.round(seconds * 1000) },
        },
        'upstream call',
      )
      return response
    } catch (error) {
      const seconds = (performance.now() - started) / 1000
      metrics?.upstream.observe({ provider, status: '0' }, seconds)
      log.debug(
        {
          upstream: { provider, method, url: where, ms: Math.round(seconds * 1000) },
          reason: error instanceof Error ? error.name : 'unknown',
        },
        'upstream call failed',
      )
      throw error
    }
  }
}
