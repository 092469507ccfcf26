import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

/** Layout of a sealed value: version (1 byte) ‖ IV (12) ‖ GCM tag (16) ‖ ciphertext. */
const VERSION = 1
const IV_BYTES = 12
const TAG_BYTES = 16
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES
/** HKDF `info`: binds the derived key to this one purpose (RFC 5869 §3.2). */
const HKDF_INFO = 'mxcp-auth/persistence-sqlite/upstream-secrets/v1'

/** A sealed value could not be opened: wrong key, or the row was altered. */
export class UnsealError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UnsealError'
  }
}

/**
 * AES-256-GCM (NIST SP 800-38D) with a fresh random 96-bit IV per value. The key is derived from
 * the configured string with HKDF-SHA256 (RFC 5869) and the database's own random salt, so one
 * string yields different keys for different databases. Every value is sealed with associated
 * data naming its row, so a ciphertext moved to another row does not open.
 */
export class SealedBox {
  readonly #key: Buffer

  private constructor(key: Buffer) {
    this.#key = key
  }

  /** Derives the 256-bit key from `secret` (any string) and the database's `salt`. */
  static derive(secret: string, salt: Buffer): SealedBox {
    return new SealedBox(Buffer.from(hkdfSync('sha256', secret, salt, HKDF_INFO, 32)))
  }

  /** Encrypts `plaintext`, authenticating `associatedData` alongside it. */
  seal(plaintext: string, associatedData: string): Buffer {
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv)
    cipher.setAAD(Buffer.from(associatedData, 'utf8'))
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body])
  }

  /**
   * Decrypts a value from `seal`; throws `UnsealError` rather than return anything unauthenticated.
   * The message names neither the row nor the value (row keys may be handles worth keeping private).
   */
  open(sealed: Uint8Array, associatedData: string): string {
    const bytes = Buffer.from(sealed)
    if (bytes.length < HEADER_BYTES || bytes[0] !== VERSION) {
      throw new UnsealError('A sealed value has an unknown format')
    }
    const iv = bytes.subarray(1, 1 + IV_BYTES)
    const tag = bytes.subarray(1 + IV_BYTES, HEADER_BYTES)
    const decipher = createDecipheriv('aes-256-gcm', this.#key, iv)
    decipher.setAAD(Buffer.from(associatedData, 'utf8'))
    decipher.setAuthTag(tag)
    try {
      return Buffer.concat([decipher.update(bytes.subarray(HEADER_BYTES)), decipher.final()]).toString('utf8')
    } catch {
      // GCM authentication failed: the key is not the one that sealed it, or the bytes changed.
      throw new UnsealError('A sealed value does not authenticate (wrong key or altered row)')
    }
  }
}
