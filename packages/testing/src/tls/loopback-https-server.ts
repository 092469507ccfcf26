import { once } from 'node:events'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { TestCertificate } from './test-certificate.js'

/** One request the server received. */
export interface ReceivedRequest {
  readonly method: string
  readonly path: string
  readonly headers: IncomingMessage['headers']
}

export type HttpsHandler = (request: IncomingMessage, response: ServerResponse) => void

/**
 * An HTTPS server on 127.0.0.1 (port 0) with a test certificate, recording every request, for
 * tests of code that fetches from https URLs (Client ID Metadata Documents, key sets).
 * `origin` is `https://127.0.0.1:<port>`; `close()` also ends connections left open (a handler
 * that never answers, to test timeouts).
 */
export class LoopbackHttpsServer {
  readonly requests: ReceivedRequest[] = []
  readonly #server: Server
  #origin = ''

  private constructor(server: Server) {
    this.#server = server
  }

  static async start(certificate: TestCertificate, handler: HttpsHandler): Promise<LoopbackHttpsServer> {
    let instance: LoopbackHttpsServer | undefined
    const server = createServer({ cert: certificate.cert, key: certificate.key }, (request, response) => {
      instance?.requests.push({
        method: request.method ?? 'GET',
        path: request.url ?? '/',
        headers: request.headers,
      })
      handler(request, response)
    })
    instance = new LoopbackHttpsServer(server)
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    instance.#origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
    return instance
  }

  get origin(): string {
    return this.#origin
  }

  get port(): number {
    return Number(new URL(this.#origin).port)
  }

  /** Requests received for `path`. */
  requestsFor(path: string): ReceivedRequest[] {
    return this.requests.filter((request) => request.path === path)
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections()
    this.#server.close()
    await once(this.#server, 'close')
  }
}
