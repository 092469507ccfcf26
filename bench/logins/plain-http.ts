import { Agent, request } from 'node:http'

/** One answer, read whole: status, the headers a login step looks at, the body as text. */
export interface PlainResponse {
  readonly status: number
  readonly contentType: string
  readonly location: string | undefined
  readonly setCookies: readonly string[]
  readonly body: string
}

/** What to send; `body` goes as it is (the caller sets its `content-type`). */
export interface PlainRequest {
  readonly method: 'GET' | 'POST'
  readonly url: URL
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string
}

/**
 * Kept-alive connections, as a browser and an OAuth client keep theirs: the bench measures the
 * server's login steps, not TCP handshakes. Unbounded sockets per origin: every login in flight
 * has its own.
 */
const agent = new Agent({ keepAlive: true })

/**
 * One HTTP/1.1 exchange over `node:http`, redirects never followed. The login worker's
 * transport: `fetch` (undici behind WHATWG streams, `Headers`, `AbortSignal`) cost the worker
 * more CPU than the whole login cost the server, and the worker shares the machine's cores
 * with the servers it measures.
 */
export function send(exchange: PlainRequest): Promise<PlainResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...exchange.headers }
    if (exchange.body !== undefined) headers['content-length'] = Buffer.byteLength(exchange.body)
    const outgoing = request(exchange.url, { method: exchange.method, headers, agent }, (incoming) => {
      const chunks: Buffer[] = []
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
      incoming.on('error', reject)
      incoming.on('end', () => {
        const setCookie = incoming.headers['set-cookie']
        resolve({
          status: incoming.statusCode ?? 0,
          contentType: incoming.headers['content-type'] ?? '',
          location: incoming.headers.location,
          setCookies: setCookie ?? [],
          body: Buffer.concat(chunks).toString('utf8'),
        })
      })
    })
    outgoing.on('error', reject)
    outgoing.end(exchange.body)
  })
}
