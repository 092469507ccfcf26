import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

/** A sealed value: version (1 byte) ‖ IV (12) ‖ GCM tag (16) ‖ ciphertext, as the SQLite store lays it out. */
const VERSION = 1
const IV_BYTES = 12
const TAG_BYTES = 16
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES
const KEY_BYTES = 32
/** HKDF `info`: the derived key serves this one purpose (RFC 5869 §3.2). */
const HKDF_INFO = 'mxcp-auth/persistence-postgres/upstream-secrets/v1'

/** A sealed value did not open: another key sealed it, or the row was altered. Names no row and no value. */
export class UnsealError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UnsealError'
  }
}

/**
 * Seals the secrets the store must give back later (upstream tokens, our PKCE verifier towards the
 * provider) with AES-256-GCM (NIST SP 800-38D), a fresh random 96-bit IV per value. The key comes
 * from `encryption_key` through HKDF-SHA-256 (RFC 5869) with the database's own random salt, so
 * every replica derives the same key from the same string, and one string gives different keys for
 * different databases. The associated data names the value's table and row, so a ciphertext copied
 * into another row does not open.
 */
export class SealedBox {
  readonly #key: Buffer

  private constructor(key: Buffer) {
    this.#key = key
  }

  /** Derives the 256-bit key from `secret` (the configured string) and the database's `salt`. */
  static derive(secret: string, salt: Uint8Array): SealedBox {
    return new SealedBox(Buffer.from(hkdfSync('sha256', secret, salt, HKDF_INFO, KEY_BYTES)))
  }

  /** Encrypts `plaintext` and authenticates `associatedData` with it. */
  seal(plaintext: string, associatedData: string): Buffer {
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES })
    cipher.setAAD(Buffer.from(associatedData, 'utf8'))
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), ciphertext])
  }

  /** Decrypts what `seal` produced; throws `UnsealError` rather than return anything unauthenticated. */
  open(sealed: Uint8Array, associatedData: string): string {
    const bytes = Buffer.from(sealed)
    if (bytes.length < HEADER_BYTES || bytes[0] !== VERSION) {
      throw new UnsealError('PostgreSQL store: a sealed value has an unknown format')
    }
    const decipher = createDecipheriv('aes-256-gcm', this.#key, bytes.subarray(1, 1 + IV_BYTES), {
      authTagLength: TAG_BYTES,
    })
    decipher.setAAD(Buffer.from(associatedData, 'utf8'))
    decipher.setAuthTag(bytes.subarray(1 + IV_BYTES, HEADER_BYTES))
    try {
      return Buffer.concat([decipher.update(bytes.subarray(HEADER_BYTES)), decipher.final()]).toString('utf8')
    } catch {
      // GCM only says "unable to authenticate": another key sealed it, or the bytes changed.
      throw new UnsealError(
        'PostgreSQL store: a sealed value does not open (another encryption_key, or an altered row)',
      )
    }
  }
}
