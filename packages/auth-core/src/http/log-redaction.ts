/** Query parameters that may carry a credential or a single-use value; their values never reach a log. */
const SENSITIVE_PARAMS = new Set([
  'access_token',
  'refresh_token',
  'id_token',
  'code',
  'code_verifier',
  'client_secret',
  'state',
  'token',
])

/** A request URL (path and query) with the values of sensitive query parameters replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  const question = url.indexOf('?')
  if (question < 0) return url
  const params = new URLSearchParams(url.slice(question + 1))
  let redacted = false
  for (const name of new Set(params.keys())) {
    if (!SENSITIVE_PARAMS.has(name.toLowerCase())) continue
    params.set(name, '[redacted]')
    redacted = true
  }
  return redacted ? `${url.slice(0, question)}?${params.toString()}` : url
}

/** What `mxcpRequestSerializer` reads from a Fastify request. */
export interface SerializableRequest {
  readonly method: string
  readonly url: string
  readonly host?: string | undefined
  readonly ip?: string | undefined
}

/**
 * A drop-in `serializers.req` for the app's logger (`Fastify({ logger: { serializers: { req:
 * mxcpRequestSerializer } } })`): Fastify's default logs the full URL of every request, which
 * would put a token sent in a query string (refused by the guard, but sent all the same) or an
 * authorization code in the log. The plugin cannot change the app's logger, so the app opts in.
 */
export function mxcpRequestSerializer(request: SerializableRequest): {
  method: string
  url: string
  host?: string | undefined
  remoteAddress?: string | undefined
} {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
  }
}
