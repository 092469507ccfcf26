import { hkdfSync } from 'node:crypto'
import { MIN_ENCRYPTION_KEY_LENGTH } from './options.js'

const HKDF_SALT = 'mxcp-auth/persistence-postgres'
const HKDF_INFO = 'mxcp-auth/plugin-signing-secret/v1'

/**
 * A 32-byte secret for the `secret` option of `mxcpAuth` (what the plugin signs, such as the consent
 * page's CSRF token), derived from `auth.persistence.encryption_key` with HKDF-SHA-256 (RFC 5869).
 * Replicas behind one load balancer must share that secret (a consent page served by one replica is
 * posted to another), and they already share the encryption key; the distinct HKDF `info` makes the
 * two keys independent, so neither reveals the other.
 */
export function sharedSigningSecret(encryptionKey: string): Buffer {
  if (typeof encryptionKey !== 'string' || encryptionKey.length < MIN_ENCRYPTION_KEY_LENGTH) {
    throw new Error(
      `sharedSigningSecret: the encryption key must be at least ${MIN_ENCRYPTION_KEY_LENGTH} characters`,
    )
  }
  return Buffer.from(hkdfSync('sha256', encryptionKey, HKDF_SALT, HKDF_INFO, 32))
}
