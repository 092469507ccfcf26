/**
 * The ceiling: a bare Fastify route on `POST /mcp` that parses the JSON-RPC body and answers what
 * `mxcp serve` answers to `tools/call greet`, with no MCP, no DuckDB, no auth and no logging.
 * Environment: PORT. Serves until SIGTERM.
 */
import Fastify from 'fastify'

const GREETING_TEXT = JSON.stringify('Hello, bench!')

const app = Fastify({ logger: false })
app.post('/mcp', async (request) => {
  const body: unknown = request.body
  const id = typeof body === 'object' && body !== null && 'id' in body ? body.id : null
  return { result: { content: [{ type: 'text', text: GREETING_TEXT }] }, jsonrpc: '2.0', id }
})
await app.listen({ host: '127.0.0.1', port: Number(process.env['PORT']) })
process.once('SIGTERM', () => {
  void app.close().finally(() => process.exit(0))
})
