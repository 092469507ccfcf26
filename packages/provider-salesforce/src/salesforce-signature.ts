import { createHmac } from 'node:crypto'
import { safeEqual, stringField, UpstreamResponseError } from '@mxcp/auth-core/provider-kit'

/**
 * Salesforce signs every token response: `signature` is the Base64 HMAC-SHA256 of
 * `id + issued_at`, keyed with our client secret, so that we can tell the identity URL (who the
 * user is) came from Salesforce unaltered. A response without a signature has nothing to check.
 */
export function assertSalesforceSignature(body: Record<string, unknown>, clientSecret: string): void {
  const signature = stringField(body, 'signature')
  if (!signature) return
  const signed = `${stringField(body, 'id') ?? ''}${stringField(body, 'issued_at') ?? ''}`
  const expected = createHmac('sha256', clientSecret).update(signed).digest('base64')
  if (!safeEqual(expected, signature)) {
    throw new UpstreamResponseError(
      'salesforce',
      'salesforce token response signature does not match its identity URL',
    )
  }
}
