import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { AuditRecord } from '../audit/audit-record.js'
import { loggableArguments } from '../audit/audit-record.js'
import type { AuditWriter } from '../audit/audit-writer.js'
import type { CallContext, Catalog, ServedPrompt, ServedResource, ServedTool } from '../mcp/served-items.js'
import type { ServerMetrics } from './metrics.js'

/** Where calls are reported. */
export interface CallObservers {
  readonly audit?: AuditWriter | undefined
  /** `audit.include_arguments`: record the arguments (secret-looking keys' values replaced). */
  readonly includeArguments?: boolean | undefined
  readonly metrics?: ServerMetrics | undefined
}

type Kind = 'tool' | 'resource' | 'prompt'

function ms(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10
}

/**
 * The request id the logger is bound to, if any: Fastify's request logger carries `reqId` (stateless
 * mode); a session's MCP server logs on the app's logger, and its lines have none.
 */
function requestIdOf(log: CallContext['log']): string | undefined {
  const bindings = (log as { bindings?: () => Record<string, unknown> }).bindings?.()
  const id = bindings?.['reqId']
  return typeof id === 'string' ? id : undefined
}

function errorText(result: CallToolResult): string | undefined {
  const first = result.content[0]
  return first?.type === 'text' ? first.text.slice(0, 500) : undefined
}

/** How one call went, as its audit line tells it. */
interface FinishedCall {
  readonly kind: Kind
  readonly name: string
  readonly args: unknown
  readonly status: 'success' | 'error'
  readonly duration: number
  readonly reason: string | undefined
}

/** The audit line of one call: who (never a token), what, how long, how it ended. */
function auditRecord(call: FinishedCall, context: CallContext, includeArguments: boolean): AuditRecord {
  const { user } = context
  return {
    timestamp: new Date().toISOString(),
    event: call.kind,
    status: call.status,
    request_id: requestIdOf(context.log),
    user_id: user.anonymous ? undefined : user.userId,
    username: user.anonymous ? undefined : user.username,
    provider: user.provider,
    client_id: user.anonymous ? undefined : user.clientId,
    name: call.name,
    duration_ms: call.duration,
    reason: call.reason,
    ...(includeArguments && call.args !== undefined && { arguments: loggableArguments(call.args) }),
  }
}

/**
 * The catalog with every tool call, resource read and prompt get observed: a debug line when it
 * ends (name, duration, outcome), one audit line (user, provider, client, name, duration,
 * outcome; arguments only when configured), and the SQL it ran timed in the metrics. The items
 * themselves are unchanged; nothing here can fail a call (an audit write only queues).
 */
export function observeCatalog(catalog: Catalog, observers: CallObservers): Catalog {
  const observe = async <T>(
    kind: Kind,
    name: string,
    args: unknown,
    context: CallContext,
    run: (context: CallContext) => Promise<T>,
    failure: (result: T) => string | undefined,
  ): Promise<T> => {
    // The item names itself on its own lines (`serveTool` binds `tool` to its logger): a second
    // child logger here would only repeat the key on every line, and cost a child per call.
    const observed: CallContext = {
      ...context,
      onSql: (seconds) => observers.metrics?.sql.observe({ item: name }, seconds),
    }
    const started = performance.now()
    let reason: string | undefined
    try {
      const result = await run(observed)
      reason = failure(result)
      return result
    } catch (error) {
      reason = error instanceof Error ? error.message.slice(0, 500) : 'failed'
      throw error
    } finally {
      const duration = ms(started)
      const status = reason === undefined ? 'success' : 'error'
      context.log.debug({ [kind]: name, ms: duration, status }, `${kind} call finished`)
      // Built only when there is an audit file: reading the request id back from the logger costs.
      const call = { kind, name, args, status, duration, reason } as const
      observers.audit?.write(auditRecord(call, context, observers.includeArguments ?? false))
    }
  }

  const tools = new Map<string, ServedTool>()
  for (const [name, tool] of catalog.tools) {
    tools.set(name, {
      ...tool,
      call: (args, context) =>
        observe(
          'tool',
          name,
          args,
          context,
          (inner) => tool.call(args, inner),
          (result) => (result.isError ? (errorText(result) ?? 'error') : undefined),
        ),
    })
  }
  const resources = catalog.resources.map(
    (resource): ServedResource => ({
      ...resource,
      match: (uri) => resource.match(uri),
      read: (uri, variables, context) =>
        observe(
          'resource',
          uri,
          variables,
          context,
          (inner) => resource.read(uri, variables, inner),
          () => undefined,
        ),
    }),
  )
  const prompts = new Map<string, ServedPrompt>()
  for (const [name, prompt] of catalog.prompts) {
    prompts.set(name, {
      ...prompt,
      get: (args, context) =>
        observe(
          'prompt',
          name,
          args,
          context,
          (inner) => prompt.get(args, inner),
          () => undefined,
        ),
    })
  }
  return { tools, resources, prompts }
}
