import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import type { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import { InvalidRequestUrl, webRequestOf } from './node-web-request.js'
import { writeWebResponse } from './write-web-response.js'

/**
 * One HTTP request of MCP's streamable HTTP transport, served by the SDK's web-standard
 * transport straight from Node's request and onto Node's response. The SDK's own Node transport
 * wraps the same class in `@hono/node-server`, which converts every request into a fetch
 * `Request` (URL, headers, a body stream) and streams every answer back chunk by chunk: a fifth
 * of a request's CPU. The transport's behaviour (checks, statuses, sessions, event store) is
 * untouched; only the conversion is ours.
 */
export async function serveStreamableHttp(
  transport: WebStandardStreamableHTTPServerTransport,
  raw: IncomingMessage & { auth: AuthInfo },
  res: ServerResponse,
  parsedBody: unknown,
): Promise<void> {
  let request: Request
  try {
    request = webRequestOf(raw)
  } catch (error) {
    if (!(error instanceof InvalidRequestUrl)) throw error
    // What the SDK's Node adapter answers to a request it cannot make a URL of.
    res.writeHead(400).end()
    return
  }
  const response = await transport.handleRequest(request, { parsedBody, authInfo: raw.auth })
  await writeWebResponse(response, res, { headersWithFirstEvent: raw.method === 'POST' })
}
