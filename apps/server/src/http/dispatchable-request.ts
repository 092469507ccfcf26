import type { IncomingMessage } from 'node:http'
import { isJsonContentType } from '@modelcontextprotocol/sdk/shared/mediaType.js'
import {
  JSONRPCMessageSchema,
  type JSONRPCRequest,
  type RequestInfo,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/sdk/types.js'
import { distinctHeaders, InvalidRequestUrl, requestInfoOf } from './node-web-request.js'

/**
 * Methods whose answer depends on nothing a client set before (no `initialize`, no
 * `logging/setLevel`): a stateless request for one of them may be answered by the server all
 * stateless requests share. Anything else gets a server of its own, as before.
 */
const SHARED_SERVER_METHODS: ReadonlySet<string> = new Set([
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'prompts/list',
  'prompts/get',
  'completion/complete',
])

/** A stateless POST the shared server may answer: one request, and what its handler is told. */
export interface DispatchableRequest {
  readonly request: JSONRPCRequest
  readonly requestInfo: RequestInfo
}

/**
 * The POST when it is one JSON-RPC request for a {@link SHARED_SERVER_METHODS} method that
 * passes every check of the SDK's transport (`Accept`, `Content-Type`, protocol version, the
 * message schema) and would therefore be answered with JSON, status 200; else undefined, and
 * the SDK's transport answers it (its refusals, batches and notifications are its own).
 */
export function dispatchableRequest(raw: IncomingMessage, body: unknown): DispatchableRequest | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined
  const headers = distinctHeaders(raw)
  const accept = headers['accept']?.join(', ')
  if (!accept?.includes('application/json') || !accept.includes('text/event-stream')) return undefined
  const contentType = headers['content-type']
  if (contentType?.length !== 1 || !isJsonContentType(contentType[0] ?? null)) return undefined
  const version = headers['mcp-protocol-version']
  if (version !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(version.join(', '))) return undefined
  const parsed = JSONRPCMessageSchema.safeParse(body)
  if (!parsed.success) return undefined
  const message = parsed.data
  // A valid message with both a method and an id is a request (the SDK's isJSONRPCRequest
  // would parse it against the schema once more).
  if (!('method' in message) || !('id' in message)) return undefined
  if (!SHARED_SERVER_METHODS.has(message.method)) return undefined
  try {
    return { request: message, requestInfo: requestInfoOf(raw) }
  } catch (error) {
    if (error instanceof InvalidRequestUrl) return undefined
    throw error
  }
}
