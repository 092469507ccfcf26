import type { FastifyInstance } from 'fastify'

/** How long `/readyz` waits for each dependency before calling it unready. */
export const READY_TIMEOUT_MS = 2_000

/** The probe paths (exactly, no query string): they are answered whatever the `Host`. */
export const HEALTH_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz'])

/** One dependency `/readyz` asks: resolves when it answers, rejects (or hangs) when it does not. */
export type ReadinessCheck = () => Promise<unknown>

function within(ms: number, check: ReadinessCheck): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
    check().then(
      () => {
        clearTimeout(timer)
        resolve()
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}

/**
 * `GET /healthz` (the process answers) and `GET /readyz` (every dependency answers within
 * `READY_TIMEOUT_MS`, else 503), for load balancers and orchestrators. Unauthenticated, so
 * they say nothing an attacker could use: a status word, no names, versions or errors. Which
 * dependency failed goes to the log, once per change. Both routes log at warn only: a probe
 * every few seconds would drown the request log.
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  checks: Readonly<Record<string, ReadinessCheck>>,
  timeoutMs = READY_TIMEOUT_MS,
): void {
  let lastFailed = ''
  const headers = { 'cache-control': 'no-store' }
  app.get('/healthz', { logLevel: 'warn' }, async (_request, reply) =>
    reply.headers(headers).send({ status: 'ok' }),
  )
  app.get('/readyz', { logLevel: 'warn' }, async (_request, reply) => {
    const names = Object.keys(checks)
    const results = await Promise.allSettled(
      names.map((name) => within(timeoutMs, checks[name] as ReadinessCheck)),
    )
    const failed = names.filter((_name, index) => results[index]?.status === 'rejected')
    const summary = failed.join(',')
    if (summary !== lastFailed) {
      if (failed.length > 0) {
        const reasons = Object.fromEntries(
          failed.map((name) => {
            const result = results[names.indexOf(name)] as PromiseRejectedResult
            return [name, result.reason instanceof Error ? result.reason.message : String(result.reason)]
          }),
        )
        app.log.warn({ failed: reasons }, 'not ready: a dependency does not answer')
      } else app.log.info('ready again: every dependency answers')
      lastFailed = summary
    }
    if (failed.length > 0) return reply.code(503).headers(headers).send({ status: 'unavailable' })
    return reply.headers(headers).send({ status: 'ready' })
  })
}
