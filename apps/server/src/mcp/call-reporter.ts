import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js'
import type {
  LoggingLevel,
  ProgressToken,
  ServerNotification,
  ServerRequest,
} from '@modelcontextprotocol/sdk/types.js'
import type { CallReporter, CallStep } from './served-items.js'

/** RFC 5424 severities in the order MCP lists them (2025-11-25 server/utilities/logging). */
const SEVERITY: readonly LoggingLevel[] = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
]

/** The least severe level a client asked for (`logging/setLevel`); undefined: it did not ask. */
export interface ClientLogLevel {
  level: LoggingLevel | undefined
}

/** Progress of a call: started 0, query answered 1, result ready 2 (of 2). */
const PROGRESS: Readonly<Record<CallStep, number>> = { started: 0, queried: 1, finished: 2, failed: 2 }
const PROGRESS_TOTAL = 2

/** Where the server logs, as MCP's `logger` field names it. */
const LOGGER = 'mxcp'

/**
 * The reporter of one request: each step becomes a `notifications/message` once the client has
 * set a log level (and the step is at least that severe), and a `notifications/progress` when
 * the request carried a `progressToken`. Both travel on the request's own stream. A client that
 * did neither hears nothing.
 */
export function callReporter(
  clientLevel: ClientLogLevel,
  extra: RequestHandlerExtra<ServerRequest, ServerNotification>,
): CallReporter {
  const progressToken: ProgressToken | undefined = extra._meta?.progressToken
  return async (step, level, data) => {
    try {
      await notify(step, level, data)
    } catch {
      // Best effort: a client that went away misses a log line, the call itself goes on.
    }
  }

  async function notify(step: CallStep, level: LoggingLevel, data: Record<string, unknown>): Promise<void> {
    const wanted = clientLevel.level
    if (wanted !== undefined && SEVERITY.indexOf(level) >= SEVERITY.indexOf(wanted)) {
      await extra.sendNotification({
        method: 'notifications/message',
        params: { level, logger: LOGGER, data },
      })
    }
    if (progressToken !== undefined) {
      await extra.sendNotification({
        method: 'notifications/progress',
        params: {
          progressToken,
          progress: PROGRESS[step],
          total: PROGRESS_TOTAL,
          message: String(data['message']),
        },
      })
    }
  }
}
