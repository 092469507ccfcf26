import http from 'node:http'

/** The name a test gives each server behind the router. */
export type ReplicaName = string

/** One request the router forwarded. */
export interface Routed {
  readonly method: string
  readonly path: string
  readonly replica: ReplicaName
  readonly status: number
}

/**
 * The load balancer in front of the replicas: a reverse proxy on 127.0.0.1 that sends each request
 * to the replica `choose` names, so a test decides exactly where each step of a login lands.
 * Requests are forwarded as they are (Host included), as a layer-7 load balancer does.
 */
export interface PathRouter {
  readonly url: string
  readonly routed: Routed[]
  /** Decides the replica of each request; replace it between the steps of a test. */
  choose: (method: string, path: string) => ReplicaName
  /**
   * Called with each answer before it is passed on; resolving to 'drop' loses it (the client gets
   * a 502, as from a balancer whose backend died after answering). Default: pass everything.
   */
  intercept: (method: string, path: string, status: number) => Promise<'pass' | 'drop'>
  setReplica(name: ReplicaName, origin: string): void
  close(): Promise<void>
}

export async function startPathRouter(): Promise<PathRouter> {
  const origins = new Map<ReplicaName, URL>()
  const router: PathRouter = {
    url: '',
    routed: [],
    choose: () => 'A',
    intercept: async () => 'pass',
    setReplica(name, origin) {
      origins.set(name, new URL(origin))
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/'
    const replica = router.choose(request.method ?? 'GET', path)
    const target = origins.get(replica)
    if (!target) {
      response.writeHead(502).end(`replica ${replica} is not registered`)
      return
    }
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.url,
        headers: request.headers,
      },
      (answer) => {
        router.routed.push({ method: request.method ?? 'GET', path, replica, status: answer.statusCode ?? 0 })
        void router.intercept(request.method ?? 'GET', path, answer.statusCode ?? 0).then((verdict) => {
          if (verdict === 'drop') {
            answer.resume()
            response.writeHead(502).end()
            return
          }
          response.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(response)
        })
      },
    )
    upstream.on('error', () => {
      if (!response.headersSent) response.writeHead(502)
      response.end()
    })
    request.pipe(upstream)
  })
  server.keepAliveTimeout = 1_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('router has no TCP address')
  return Object.assign(router, { url: `http://127.0.0.1:${address.port}` })
}
