import { readCappedText } from '@mxcp/auth-core/provider-kit'

/**
 * GitHub's way of saying "slow down" (docs.github.com, "Rate limits for the REST API", section
 * "Exceeding the rate limit"): a 403 or 429 with `x-ratelimit-remaining: 0` (primary limit), or
 * with `retry-after`, or whose message names a secondary rate limit. It says nothing about the
 * token or the user: never read it as "no email" or "not a member".
 */
export function isGitHubRateLimit(status: number, headers: Headers, message: string | undefined): boolean {
  if (status !== 403 && status !== 429) return false
  if (status === 429) return true
  if (headers.get('x-ratelimit-remaining') === '0') return true
  if (headers.has('retry-after')) return true
  return /rate limit/i.test(message ?? '')
}

/** The `message` of a GitHub error body, if it has one (the body may be anything; 16 KiB read at most). */
export async function gitHubErrorMessage(response: Response): Promise<string | undefined> {
  try {
    const text = await readCappedText(response, 'github', 16 * 1024)
    const body: unknown = JSON.parse(text)
    if (typeof body === 'object' && body !== null && 'message' in body) {
      const message = (body as { message: unknown }).message
      return typeof message === 'string' ? message : undefined
    }
  } catch {
    // Not JSON: no message to read.
  }
  return undefined
}
