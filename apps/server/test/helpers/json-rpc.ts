/** One JSON-RPC request posted straight to `/mcp`, as an MCP client would after `initialize`. */
export interface RawMcpResponse {
  readonly status: number
  readonly headers: Headers
  readonly body: unknown
}

let nextId = 1

/**
 * The JSON-RPC answer in an event stream (how a session answers): the `data` of the last
 * `message` event, the response, which follows any notifications of the request.
 */
function answerInEventStream(text: string): unknown {
  const messages = text
    .split('\n')
    .filter((line) => line.startsWith('data: ') && line.length > 'data: '.length)
    .map((line) => JSON.parse(line.slice('data: '.length)) as unknown)
  return messages.at(-1)
}

/**
 * POSTs one JSON-RPC request to the MCP endpoint and reads the answer: JSON (outside a session,
 * or in stateless mode), or an event stream (in a session). The id is a fresh one unless given.
 */
export async function postMcp(
  url: string,
  method: string,
  params: Record<string, unknown> = {},
  headers: Record<string, string> = {},
  options: { readonly id?: number; readonly signal?: AbortSignal } = {},
): Promise<RawMcpResponse> {
  const response = await fetch(url, {
    method: 'POST',
    ...(options.signal && { signal: options.signal }),
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-06-18',
      ...headers,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: options.id ?? nextId++, method, params }),
  })
  const text = await response.text()
  return {
    status: response.status,
    headers: response.headers,
    body:
      text === ''
        ? undefined
        : response.headers.get('content-type')?.startsWith('text/event-stream')
          ? answerInEventStream(text)
          : JSON.parse(text),
  }
}
