import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
import { request } from 'node:https'
import { ForbiddenAddressError, guardedLookup } from './guarded-lookup.js'

/** Why a document could not be had. `transient` failures may be bridged by a cached copy. */
export type FetchFailureReason =
  | 'forbidden_address'
  | 'unreachable'
  | 'timeout'
  | 'redirect'
  | 'status'
  | 'too_large'
  | 'not_json'

const TRANSIENT: ReadonlySet<FetchFailureReason> = new Set(['unreachable', 'timeout'])

/** A failed fetch; its message is safe to show (it names the URL, never a body). */
export class DocumentFetchError extends Error {
  readonly reason: FetchFailureReason
  readonly status: number | undefined
  /** The server could not be reached or answered 5xx: a cached copy may stand in. */
  readonly transient: boolean

  constructor(reason: FetchFailureReason, message: string, status?: number, options?: ErrorOptions) {
    super(message, options)
    this.name = 'DocumentFetchError'
    this.reason = reason
    this.status = status
    this.transient = TRANSIENT.has(reason) || (reason === 'status' && status !== undefined && status >= 500)
  }
}

/** Limits of one fetch (from `auth.client_metadata`). */
export interface FetchJsonOptions {
  readonly maxBytes: number
  readonly timeoutMs: number
  readonly allowPrivate: boolean
  /** Trust anchors (PEM) used instead of Node's bundled ones; default: Node's, plus NODE_EXTRA_CA_CERTS. */
  readonly ca?: readonly string[] | undefined
}

/** A fetched JSON document and the response headers that say how long it may be cached. */
export interface FetchedJson {
  readonly body: unknown
  readonly headers: IncomingHttpHeaders
}

/** RFC 8259 §11: `application/json`, or any `+json` type (RFC 6839 §3.1). */
function isJsonType(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type)
}

function checkHead(response: IncomingMessage, maxBytes: number, where: string): void {
  const status = response.statusCode ?? 0
  if (status >= 300 && status < 400)
    throw new DocumentFetchError(
      'redirect',
      `${where} answered with a redirect (${status}), which is not followed`,
      status,
    )
  if (status !== 200) throw new DocumentFetchError('status', `${where} answered ${status}`, status)
  if (!isJsonType(response.headers['content-type'])) {
    const type = response.headers['content-type']?.slice(0, 100) ?? 'no content type'
    throw new DocumentFetchError('not_json', `${where} is not JSON (${type})`)
  }
  const encoding = response.headers['content-encoding']
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity')
    throw new DocumentFetchError('not_json', `${where} came ${encoding}-encoded, which was not asked for`)
  const length = Number(response.headers['content-length'])
  if (Number.isFinite(length) && length > maxBytes)
    throw new DocumentFetchError('too_large', `${where} is larger than ${maxBytes} bytes`)
}

function parseJson(bytes: Buffer, where: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown
  } catch (cause) {
    throw new DocumentFetchError('not_json', `${where} is not valid JSON`, undefined, { cause })
  }
}

function networkFailure(error: unknown, where: string): DocumentFetchError {
  if (error instanceof DocumentFetchError) return error
  if (error instanceof ForbiddenAddressError)
    return new DocumentFetchError(
      'forbidden_address',
      `${where} is on a host that resolves to a non-public address`,
    )
  const code = (error as { code?: unknown } | undefined)?.code
  const detail = typeof code === 'string' ? ` (${code})` : ''
  return new DocumentFetchError('unreachable', `${where} could not be reached${detail}`, undefined, {
    cause: error,
  })
}

/**
 * GETs a small JSON document from `url` for the server's own use, defensively (CIMD draft §6, MCP
 * authorization 2025-11-25 §11.6): only `https`; host names resolved through `guardedLookup`
 * (non-public addresses refused); no redirects followed; no cookies or credentials sent, and no
 * compression asked for; the whole exchange (connect, TLS, headers, body) bounded by `timeoutMs`;
 * the body bounded by `maxBytes` (by `Content-Length` first, then while reading); status 200 and
 * a JSON media type only. Throws `DocumentFetchError`.
 */
export function fetchJsonDocument(url: URL, options: FetchJsonOptions): Promise<FetchedJson> {
  const where = url.href
  return new Promise<FetchedJson>((resolve, reject) => {
    let settled = false
    const fail = (error: unknown): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      outgoing.destroy()
      reject(networkFailure(error, where))
    }
    const outgoing = request(
      url,
      {
        method: 'GET',
        headers: { accept: 'application/json', 'accept-encoding': 'identity', 'user-agent': 'mxcp-auth' },
        lookup: guardedLookup(options.allowPrivate),
        // A fresh connection every time: nothing pooled, nothing shared with other requests.
        agent: false,
        minVersion: 'TLSv1.2',
        ...(options.ca ? { ca: [...options.ca] } : {}),
      },
      (response) => {
        try {
          checkHead(response, options.maxBytes, where)
        } catch (error) {
          response.destroy()
          return fail(error)
        }
        const chunks: Buffer[] = []
        let size = 0
        response.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > options.maxBytes) {
            response.destroy()
            fail(new DocumentFetchError('too_large', `${where} is larger than ${options.maxBytes} bytes`))
          } else chunks.push(chunk)
        })
        response.on('error', fail)
        response.on('end', () => {
          if (settled) return
          try {
            const body = parseJson(Buffer.concat(chunks), where)
            settled = true
            clearTimeout(timer)
            resolve({ body, headers: response.headers })
          } catch (error) {
            fail(error)
          }
        })
      },
    )
    const timer = setTimeout(
      () => fail(new DocumentFetchError('timeout', `${where} did not answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    )
    outgoing.on('error', fail)
    outgoing.end()
  })
}
