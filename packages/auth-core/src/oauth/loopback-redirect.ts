import { isLoopbackHost } from '../http/base-url.js'

/** The one spelling of each loopback host we accept in a redirect URI (RFC 8252 §7.3, §8.3). */
const LOOPBACK_SPELLINGS: ReadonlySet<string> = new Set(['127.0.0.1', '[::1]', 'localhost'])

/** A redirect URI split as it was written, before the URL parser normalizes anything. */
interface RawParts {
  readonly scheme: string
  readonly authority: string
  /** Path, query and fragment exactly as sent. */
  readonly rest: string
}

function rawParts(uri: string): RawParts | undefined {
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)(.*)$/s.exec(uri)
  if (!match) return undefined
  return { scheme: match[1] ?? '', authority: match[2] ?? '', rest: match[3] ?? '' }
}

/** The raw host of an authority without its port (IPv6 literals keep their brackets). */
function rawHost(authority: string): string {
  if (authority.startsWith('[')) return authority.slice(0, authority.indexOf(']') + 1)
  const colon = authority.lastIndexOf(':')
  return colon === -1 ? authority : authority.slice(0, colon)
}

/** True when the path has a `.` or `..` segment (also percent-encoded), which parsers remove. */
export function hasDotSegment(rest: string): boolean {
  const path = rest.split(/[?#]/)[0] ?? ''
  return path.split('/').some((segment) => /^(?:\.|%2e){1,2}$/i.test(segment))
}

/**
 * Why a loopback redirect URI is refused, or undefined (RFC 8252 §7.3, §8.3): the host must be
 * spelled `127.0.0.1`, `[::1]` or `localhost` exactly (no `127.1`, `0x7f.1`, `2130706433`), with no
 * userinfo and no dot segments: whatever a URL parser would rewrite is refused, so the string
 * compared is the string the browser will go to.
 */
export function loopbackRedirectProblem(uri: string): string | undefined {
  const parts = rawParts(uri)
  if (!parts) return undefined
  let parsed: URL
  try {
    parsed = new URL(uri)
  } catch {
    return undefined
  }
  if (!isLoopbackHost(parsed.hostname)) return undefined
  if (parts.authority.includes('@')) return 'must not contain userinfo'
  const host = rawHost(parts.authority)
  if (!LOOPBACK_SPELLINGS.has(host))
    return `spells a loopback host as "${host}"; use 127.0.0.1, [::1] or localhost`
  if (hasDotSegment(parts.rest)) return 'must not contain dot segments (. or ..)'
  return undefined
}

/**
 * The key a loopback redirect URI is matched on: the URI as written without its port (RFC 8252
 * §7.3: "the authorization server MUST allow any port"). Undefined for anything else, and for a
 * loopback URI that `loopbackRedirectProblem` refuses.
 */
export function loopbackMatchKey(uri: string): string | undefined {
  const parts = rawParts(uri)
  if (parts === undefined) return undefined
  if (parts.scheme !== 'http' || loopbackRedirectProblem(uri) !== undefined) return undefined
  const host = rawHost(parts.authority)
  if (!LOOPBACK_SPELLINGS.has(host)) return undefined
  const port = parts.authority.slice(host.length)
  if (port !== '' && !/^:\d{1,5}$/.test(port)) return undefined
  return `http://${host}${parts.rest}`
}
