import { GREETING, TOOL_ARGUMENT, TOOL_NAME } from './bench-project.js'

/** The protocol version every bench request announces (supported by every server measured). */
export const PROTOCOL_VERSION = '2025-06-18'

/**
 * The request body of every throughput figure: `tools/call greet {name: "bench"}`. The id is
 * autocannon's `[<id>]` placeholder, a fresh id per request (servers with MCP sessions match
 * answers to requests by id, so concurrent requests must not share one).
 */
export const TOOL_CALL_BODY = JSON.stringify({
  jsonrpc: '2.0',
  id: '[<id>]',
  method: 'tools/call',
  params: { name: TOOL_NAME, arguments: { name: TOOL_ARGUMENT } },
})

/** The headers of an MCP client's POST (streamable HTTP), plus the token and session if any. */
export function mcpHeaders(options: { token?: string; sessionId?: string } = {}): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': PROTOCOL_VERSION,
    ...(options.token !== undefined && { authorization: `Bearer ${options.token}` }),
    ...(options.sessionId !== undefined && { 'mcp-session-id': options.sessionId }),
  }
}

async function post(url: string, headers: Record<string, string>, message: object): Promise<Response> {
  return fetch(url, { method: 'POST', headers, body: JSON.stringify(message) })
}

/**
 * One `tools/call greet` as the load will send it, checked: 200 and the greeting in the answer
 * (JSON or an SSE event). A server that answered 401 fast would otherwise look very fast.
 */
export async function probeToolCall(
  url: string,
  headers: Record<string, string>,
  name: string,
): Promise<void> {
  const response = await post(url, headers, {
    jsonrpc: '2.0',
    id: 'probe',
    method: 'tools/call',
    params: { name: TOOL_NAME, arguments: { name: TOOL_ARGUMENT } },
  })
  const text = await response.text()
  if (response.status !== 200 || !text.includes(GREETING)) {
    throw new Error(
      `${name}: tools/call answered ${response.status}, not the greeting: ${text.slice(0, 300)}`,
    )
  }
}

/**
 * Opens an MCP session (`initialize`, then `notifications/initialized`), as an MCP client does
 * once before its calls, and returns its id.
 */
export async function openMcpSession(url: string, token: string | undefined, name: string): Promise<string> {
  const headers = mcpHeaders(token === undefined ? {} : { token })
  const initialize = await post(url, headers, {
    jsonrpc: '2.0',
    id: 'init',
    method: 'initialize',
    params: {
      protocolVersion: PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'mxcp-bench', version: '1' },
    },
  })
  await initialize.text()
  const sessionId = initialize.headers.get('mcp-session-id')
  if (initialize.status !== 200 || !sessionId) {
    throw new Error(`${name}: initialize answered ${initialize.status} without a session id`)
  }
  const initialized = await post(url, mcpHeaders({ ...(token !== undefined && { token }), sessionId }), {
    jsonrpc: '2.0',
    method: 'notifications/initialized',
  })
  await initialized.text()
  if (initialized.status !== 202)
    throw new Error(`${name}: notifications/initialized answered ${initialized.status}`)
  return sessionId
}
