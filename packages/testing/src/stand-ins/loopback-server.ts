import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * The HTTP scaffolding every stand-in stands on, whatever its style (the quirky GitHub, Atlassian
 * and Salesforce ones, the standard Google and oidc-provider ones): a server on 127.0.0.1 with a
 * random port, request bodies read whole, and a shutdown that drops pending slow answers.
 */

/** A loopback HTTP server with the bookkeeping every stand-in needs. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string
  readonly server: Server
  /** Resolves after `ms`, or never once the server is closing (the request is then dropped). */
  delay(ms: number): Promise<void>
  close(): Promise<void>
}

/** Reads a whole request body as text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)))
  return Buffer.concat(chunks).toString('utf8')
}

/** Writes a JSON answer. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  })
  res.end(JSON.stringify(body))
}

/** Starts `handler` on 127.0.0.1, port 0. A handler that throws answers 500. */
export async function startLoopbackServer(
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void,
): Promise<LoopbackServer> {
  const timers = new Set<NodeJS.Timeout>()
  const server = createServer((req, res) => {
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((error: unknown) => {
        if (res.headersSent) res.destroy()
        else sendJson(res, 500, { error: 'server_error', error_description: String(error) })
      })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  let closing = false
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    delay(ms) {
      return new Promise((resolve) => {
        if (closing) return
        const timer = setTimeout(() => {
          timers.delete(timer)
          resolve()
        }, ms)
        timers.add(timer)
      })
    },
    async close() {
      closing = true
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
