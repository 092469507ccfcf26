import { UpstreamResponseError } from '../errors/upstream-error.js'

/**
 * Largest body we read from an identity provider or a metadata host: 1 MiB. A token response,
 * a user profile, a discovery document or a key set is a few KiB; anything past this is a
 * misbehaving or hostile upstream, not data.
 */
export const MAX_UPSTREAM_BODY_BYTES = 1024 * 1024

/**
 * Reads `response`'s body as UTF-8 text, at most `limit` bytes. A `Content-Length` above the cap
 * is refused before reading; a body that grows past it while streaming is cancelled at once.
 * Either way: `UpstreamResponseError` (the upstream sent a bad response), never a memory blow-up.
 */
export async function readCappedText(
  response: Response,
  provider: string,
  limit: number = MAX_UPSTREAM_BODY_BYTES,
): Promise<string> {
  const tooLarge = (): UpstreamResponseError =>
    new UpstreamResponseError(
      provider,
      `${provider} answered ${response.status} with a body larger than ${limit} bytes`,
      response.status,
    )
  const declared = Number(response.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => {})
    throw tooLarge()
  }
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => {})
      throw tooLarge()
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}
