import pino, { type Logger } from 'pino'
import pretty from 'pino-pretty'

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Readable lines (pino-pretty) at level debug, instead of JSON lines at level info. */
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
 * The server's logger: JSON lines at level info; with `--debug`, readable lines (pino-pretty) at
 * level debug: every step of a sign-in, each guard decision, each upstream call and SQL
 * statement. Fastify logs every request through these serializers, so a request line never
 * carries a header value or a query value.
 *
 * Writes are asynchronous (pino's SonicBoom, buffered), so a request never waits for the
 * terminal or the disk; `flushLogger` writes what is pending before the process exits.
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
      sync: false,
      colorize: false,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
      destination: options.destination ?? 1,
    })
    return pino(settings, stream)
  }
  return pino(settings, options.destination ?? pino.destination({ dest: 1, sync: false, minLength: 0 }))
}

/** Writes what the logger still holds; call it before `process.exit`. */
export function flushLogger(logger: object): Promise<void> {
  const { flush } = logger as { flush?: (callback: () => void) => void }
  return new Promise((resolve) => {
    if (typeof flush !== 'function') return resolve()
    try {
      flush.call(logger, () => resolve())
    } catch {
      resolve()
    }
  })
}
