import { MAX_URI_LENGTH } from '../../defaults.js'
import { InvalidClientError } from '../../errors/oauth-error.js'

/**
 * True when a `client_id` is meant as a Client ID Metadata Document URL: it starts with a URL
 * scheme of the web. Such ids are never issued by `/register` (random UUIDs), so nothing else
 * can be shadowed; `http://` ones are caught here too, to be refused with a clear reason.
 */
export function isUrlClientId(clientId: string): boolean {
  return /^https?:\/\//i.test(clientId)
}

/**
 * Parses a URL `client_id` by the CIMD draft's rules (§3, "Client Identifier"): `https`, with a
 * path other than `/`, no dot segments, no fragment, no user name or password. It must also be
 * written in its normalized form (`new URL(id).href === id`), so that one client has exactly one
 * spelling: the document's `client_id` is compared with it as a plain string (MCP authorization
 * 2025-11-25 §5.1.1). Throws `invalid_client` naming the rule broken.
 */
export function parseClientIdUrl(clientId: string): URL {
  const refuse = (why: string): never => {
    throw new InvalidClientError(`The client_id URL ${why}`)
  }
  if (clientId.length > MAX_URI_LENGTH) refuse(`is longer than ${MAX_URI_LENGTH} characters`)
  let url: URL
  try {
    url = new URL(clientId)
  } catch {
    return refuse('is not a valid URL')
  }
  if (url.protocol !== 'https:') refuse('must use https')
  if (url.username || url.password) refuse('must not contain a user name or password')
  if (clientId.includes('#')) refuse('must not contain a fragment')
  if (url.pathname === '/' || url.pathname === '') refuse('must have a path (such as /client.json)')
  if (/(^|\/)(\.|%2e){1,2}(\/|$)/i.test(clientId.slice(url.origin.length).split('?')[0] ?? ''))
    refuse('must not contain . or .. path segments')
  if (url.href !== clientId) refuse(`must be written in its normalized form (${url.href})`)
  return url
}
