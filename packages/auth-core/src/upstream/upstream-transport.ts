import { type Dispatcher, request } from 'undici'
import { MAX_UPSTREAM_BODY_BYTES } from './read-capped-body.js'

/** Statuses whose `Response` may carry no body (Fetch standard "null body status"). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304])

/** What `fetch` puts in `content-type` for a string and a `URLSearchParams` body (Fetch "extract a body"). */
const TEXT_CONTENT_TYPE = 'text/plain;charset=UTF-8'
const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded;charset=UTF-8'

/** A request this transport makes itself; anything else goes through `fetch`. */
interface PlainExchange {
  readonly url: URL
  readonly method: Dispatcher.HttpMethod
  readonly headers: Record<string, string>
  readonly body: string | Uint8Array | undefined
}

/**
 * `input` and `init` as a plain exchange, or undefined for what only `fetch` does: a `Request`
 * input, redirects to follow, a stream, blob or form-data body. The headers `fetch` adds when
 * absent are added alike (`accept: *\/*`, `user-agent: node`, a body's content type); no
 * `accept-encoding`, so bodies come uncompressed, as `fetch` would hand them over.
 */
function plainExchange(
  input: string | URL | Request,
  init: RequestInit | undefined,
): PlainExchange | undefined {
  if (input instanceof Request || init?.redirect !== 'manual') return undefined
  const headers: Record<string, string> = {}
  for (const [name, value] of new Headers(init.headers)) headers[name] = value
  headers['accept'] ??= '*/*'
  headers['user-agent'] ??= 'node'
  const method = (init.method ?? 'GET').toUpperCase() as Dispatcher.HttpMethod
  const url = new URL(input)
  const raw = init.body
  if (raw === undefined || raw === null) return { url, method, headers, body: undefined }
  if (typeof raw === 'string') {
    headers['content-type'] ??= TEXT_CONTENT_TYPE
    return { url, method, headers, body: raw }
  }
  if (raw instanceof URLSearchParams) {
    headers['content-type'] ??= FORM_CONTENT_TYPE
    return { url, method, headers, body: raw.toString() }
  }
  if (raw instanceof Uint8Array) return { url, method, headers, body: raw }
  return undefined
}

/** Drops a body unread, closing its connection (undici reports that as an abort, ignored here). */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {})
  body.destroy()
}

/**
 * Reads a body whole, but never more than one byte past `MAX_UPSTREAM_BODY_BYTES`: what is
 * kept of a longer body is still longer than the cap, so `readCappedText` refuses it as it
 * refuses a streamed one.
 */
function readBounded(body: Dispatcher.ResponseData['body']): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    body.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      size += chunk.byteLength
      if (size > MAX_UPSTREAM_BODY_BYTES) {
        discard(body)
        resolve(Buffer.concat(chunks, size).subarray(0, MAX_UPSTREAM_BODY_BYTES + 1))
      }
    })
    body.on('error', reject)
    body.on('end', () => resolve(Buffer.concat(chunks, size)))
  })
}

function responseHeaders(raw: Dispatcher.ResponseData['headers']): Headers {
  const headers = new Headers()
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item)
    else if (value !== undefined) headers.append(name, value)
  }
  return headers
}

/**
 * The `fetch` of our calls to identity providers (`upstreamFetch`, and what the server wraps
 * for its metrics): undici's `request` over the request's `dispatcher` (the connect-bounded
 * pool of `deadlines.ts`), under the request's `signal`, redirects never followed, the body
 * read whole before the `Response` is handed over. Why not `fetch`: its WHATWG machinery (a
 * cloned `Request` with a teed body, `AbortController`s, web streams for every body) cost the
 * server a fifth of its CPU on a login, three calls to the provider in every callback.
 * A body declared larger than the cap, or of a 429 or 5xx (which `upstreamFetch` refuses
 * whatever they say), is not waited for. What only `fetch` can send goes to `fetch`.
 */
export async function upstreamTransport(
  input: string | URL | Request,
  init?: RequestInit & { readonly dispatcher?: Dispatcher },
): Promise<Response> {
  const exchange = plainExchange(input, init)
  if (!exchange) return fetch(input, init)
  const answer = await request(exchange.url, {
    method: exchange.method,
    headers: exchange.headers,
    body: exchange.body,
    signal: init?.signal ?? undefined,
    // Without one, undici's global pool: the connect deadline `fetch`'s own pool has (10 s).
    ...(init?.dispatcher && { dispatcher: init.dispatcher }),
  })
  const status = answer.statusCode
  const headers = responseHeaders(answer.headers)
  const declared = Number(headers.get('content-length') ?? Number.NaN)
  if (
    NULL_BODY_STATUSES.has(status) ||
    status >= 500 ||
    status === 429 ||
    (Number.isFinite(declared) && declared > MAX_UPSTREAM_BODY_BYTES)
  ) {
    discard(answer.body)
    return new Response(null, { status, headers })
  }
  return new Response(await readBounded(answer.body), { status, headers })
}
