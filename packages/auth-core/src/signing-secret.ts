import { hkdfSync } from 'node:crypto'

const HKDF_SALT = 'mxcp-auth'
const HKDF_INFO = 'mxcp-auth/plugin-signing-secret/v1'

/**
 * A 32-byte value for the `secret` option of `mxcpAuth` (what the plugin signs, such as the consent
 * page's CSRF token), derived from `auth.persistence.encryption_key` with HKDF-SHA-256 (RFC 5869).
 * Replicas behind one load balancer must share it (a consent page served by one replica is posted
 * to another), and they already share the encryption key; the distinct HKDF `info` keeps the two
 * keys independent, so neither reveals the other.
 */
export function signingSecretFrom(encryptionKey: string): Buffer {
  if (encryptionKey.length === 0) throw new Error('signingSecretFrom: the encryption key is empty')
  return Buffer.from(hkdfSync('sha256', encryptionKey, HKDF_SALT, HKDF_INFO, 32))
}
