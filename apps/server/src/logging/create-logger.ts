import pino, { type Logger } from 'pino'
import pretty from 'pino-pretty'

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Readable debug logs (pino-pretty) instead of JSON at level info. */
  readonly debug: boolean
  /** Where to write; default standard output. */
  readonly destination?: NodeJS.WritableStream | undefined
}

/** Headers that carry credentials, wherever a log object holds them. */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
]

/**
 * A request URL fit for a log line: query values are replaced, since OAuth puts codes and
 * states there (`/github/callback?code=…&state=…`).
 */
export function loggableUrl(url: string): string {
  const mark = url.indexOf('?')
  if (mark === -1) return url
  const params = new URLSearchParams(url.slice(mark + 1))
  const names = [...new Set(params.keys())].map((name) => `${encodeURIComponent(name)}=[redacted]`)
  return `${url.slice(0, mark)}?${names.join('&')}`
}

interface LoggedRequest {
  method?: string
  url?: string
  ip?: string
  headers?: Record<string, unknown>
}

/**
 * The server's logger: JSON lines by default, pino-pretty with `--debug`. Fastify logs every
 * request through these serializers, so a request line never carries a header value or a query
 * value.
 */
export function createLogger(options: LoggerOptions): Logger {
  const settings: pino.LoggerOptions = {
    level: options.debug ? 'debug' : 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      req: (request: LoggedRequest) => ({
        method: request.method,
        url: request.url === undefined ? undefined : loggableUrl(request.url),
        remoteAddress: request.ip,
      }),
      res: (reply: { statusCode?: number }) => ({ statusCode: reply.statusCode }),
      err: pino.stdSerializers.err,
    },
  }
  if (options.debug) {
    const stream = pretty({
      sync: true,
      colorize: false,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
      destination: options.destination ?? 1,
    })
    return pino(settings, stream)
  }
  return pino(settings, options.destination ?? pino.destination({ dest: 1, sync: true }))
}
