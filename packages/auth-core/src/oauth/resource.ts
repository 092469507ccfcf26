/**
 * The canonical URI of the protected MCP endpoint: the RFC 8707 audience of every token we issue
 * and the `resource` of our RFC 9728 metadata. Spelled without a trailing slash (MCP
 * authorization §8.1: "consistently use the form without the trailing slash").
 */
export function canonicalResource(baseUrl: string, mcpPath: string): string {
  return `${baseUrl}${mcpPath}`
}

function comparable(value: string): string | undefined {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return undefined
  }
  // RFC 8707 §2: the resource "MUST NOT include a fragment component".
  if (url.hash || value.includes('#')) return undefined
  const path =
    url.pathname.length > 1 && url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname
  // URL already lowercases scheme and host (MCP §8.1: accept uppercase scheme and host).
  return `${url.protocol}//${url.host}${path === '/' ? '' : path}${url.search}`
}

/** True when a client's `resource` names our MCP endpoint (after normalising a trailing slash). */
export function isSameResource(candidate: string, canonical: string): boolean {
  const left = comparable(candidate)
  return left !== undefined && left === comparable(canonical)
}
