import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'

/** The text of a tool result's first content item, parsed as JSON. */
export function resultJson(result: unknown): unknown {
  const content = (result as { content?: { type: string; text?: string }[] }).content
  const text = content?.[0]?.text
  if (text === undefined) throw new Error('the result has no text content')
  return JSON.parse(text)
}

/** The text of a tool result's first content item. */
export function resultText(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content
  return content?.[0]?.text ?? ''
}

/** A real MCP SDK client connected to `url` without authentication. */
export async function connectAnonymous(url: string): Promise<Client> {
  const client = new Client({ name: 'mxcp-server-test', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(url)))
  return client
}
