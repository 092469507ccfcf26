import type { ServerResponse } from 'node:http'

/** A JSON-RPC error body for an HTTP-level refusal, as the SDK's own transport writes them. */
export function jsonRpcError(
  code: number,
  message: string,
): { jsonrpc: '2.0'; error: { code: number; message: string }; id: null } {
  return { jsonrpc: '2.0', error: { code, message }, id: null }
}

/** Writes a JSON-RPC error on a raw (hijacked) response. */
export function writeRawError(res: ServerResponse, status: number, code: number, message: string): void {
  if (res.headersSent) {
    res.end()
    return
  }
  res
    .writeHead(status, { 'content-type': 'application/json' })
    .end(JSON.stringify(jsonRpcError(code, message)))
}
