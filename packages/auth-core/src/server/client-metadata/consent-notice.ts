import { escapeHtml } from '../../html/escape.js'

/**
 * What the consent page says about a client known by its metadata document (MCP authorization
 * 2025-11-25 §11.6: "MUST clearly display the redirect URI hostname"; CIMD draft §6): that it is
 * identified by a document, on which host (shown large: the host is the only thing vouched for,
 * the name is whatever the document says), and a warning when the browser would be sent back to
 * another host than the one that publishes the document.
 */
export function metadataDocumentNotice(clientId: string, redirectUri: string): string {
  const client = new URL(clientId)
  const redirect = new URL(redirectUri)
  const host = escapeHtml(client.host)
  const identity = `<p>This application is identified by a metadata document published at</p>
<p class="host" style="font-size:1.25rem">${host}</p>
<p class="muted">Its name comes from that document and is not verified by this server. Continue only if you trust ${host}.</p>
`
  if (redirect.hostname === client.hostname) return identity
  return `${identity}<p class="warn">You will be sent back to <span class="host">${escapeHtml(redirect.host)}</span>, which is not ${host}, the site that identifies this application.</p>
`
}
