import type {
  CallToolResult,
  GetPromptResult,
  LoggingLevel,
  Prompt,
  ReadResourceResult,
  Resource,
  ResourceTemplate,
  Tool,
} from '@modelcontextprotocol/sdk/types.js'
import type { UserContext } from '@mxcp/auth-core'
import type { FastifyBaseLogger } from 'fastify'
import type { ParameterDefinition } from '../definitions/definition-types.js'

/** The steps of a call the client hears about (log messages, and progress when it asked). */
export type CallStep = 'started' | 'queried' | 'finished' | 'failed'

/** Tells the MCP client how a call goes: a log message at `level`, filtered by `logging/setLevel`. */
export type CallReporter = (
  step: CallStep,
  level: LoggingLevel,
  data: Record<string, unknown>,
) => Promise<void>

/** Who calls, and where to log. */
export interface CallContext {
  readonly user: UserContext
  readonly log: FastifyBaseLogger
  /** Reports the call's steps to the MCP client; absent where nobody listens. */
  readonly report?: CallReporter | undefined
  /** Told how long each SQL statement of the call took (seconds) and how many rows it gave. */
  readonly onSql?: ((seconds: number, rows: number) => void) | undefined
  /**
   * True when the guard already logged this request's caller at info (`authenticated request`):
   * the call's own line is then at debug, so a request is one line at info.
   */
  readonly callerLogged?: boolean | undefined
}

/** The level of a call's "who called what" line: info unless the guard already said who. */
export function callLineLevel(context: CallContext): 'info' | 'debug' {
  return context.callerLogged === true ? 'debug' : 'info'
}

/** One tool as served: its `tools/list` entry and what runs on `tools/call`. */
export interface ServedTool {
  readonly listing: Tool
  /** Never throws: failures come back as a tool result with `isError`. */
  call(args: Record<string, unknown> | undefined, context: CallContext): Promise<CallToolResult>
}

/** A `resources/list` entry (fixed URI) or a `resources/templates/list` entry (URI template). */
export type ResourceListing =
  | { readonly kind: 'resource'; readonly resource: Resource }
  | { readonly kind: 'template'; readonly template: ResourceTemplate }

/** One resource or resource template as served. */
export interface ServedResource {
  readonly listing: ResourceListing
  /** The URI template's variables (for `completion/complete`). */
  readonly parameters: readonly ParameterDefinition[]
  /** The URI's variables when `uri` names this resource, else undefined. */
  match(uri: string): Record<string, string> | undefined
  /** Throws `McpError` for bad variables or a failed query. */
  read(uri: string, variables: Record<string, string>, context: CallContext): Promise<ReadResourceResult>
}

/** One prompt as served. */
export interface ServedPrompt {
  readonly listing: Prompt
  /** The prompt's arguments (for `completion/complete`). */
  readonly parameters: readonly ParameterDefinition[]
  /** Throws `McpError` for bad arguments. */
  get(args: Record<string, string> | undefined, context: CallContext): Promise<GetPromptResult>
}

/** Everything the MCP server offers, built once at start-up. */
export interface Catalog {
  readonly tools: ReadonlyMap<string, ServedTool>
  readonly resources: readonly ServedResource[]
  readonly prompts: ReadonlyMap<string, ServedPrompt>
}
