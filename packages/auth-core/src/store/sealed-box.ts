import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { brandError, isInstance } from '../errors/brand.js'

/** Layout of a sealed value: version (1 byte) ‖ IV (12) ‖ GCM tag (16) ‖ ciphertext. */
const VERSION = 1
const IV_BYTES = 12
const TAG_BYTES = 16
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES
const KEY_BYTES = 32
const SALT_BYTES = 16
/** A known plaintext sealed when a key is bound to a database: if it opens, the key is the right one. */
const CHECK_PLAINTEXT = 'mxcp-auth key check'
const CHECK_ASSOCIATED_DATA = 'meta:key_check'

/** A sealed value did not open: another key sealed it, or the bytes were altered. Names no row and no value. */
export class UnsealError extends Error {
  /** True for an instance of this class from any copy of `@mxcp/auth-core` (see `errors/brand.ts`). */
  static is<T>(this: abstract new (...args: never[]) => T, value: unknown): value is T {
    // biome-ignore lint/complexity/noThisInStatic: a subclass inherits is() and checks its own class
    return isInstance(this, value)
  }
  constructor(message: string) {
    super(message)
    this.name = 'UnsealError'
  }
}

/**
 * How persistent stores keep the secrets they must give back (upstream tokens, our PKCE verifier
 * towards the provider): AES-256-GCM (NIST SP 800-38D) with a fresh random 96-bit IV per value.
 * The key comes from the configured string through HKDF-SHA-256 (RFC 5869) with the database's own
 * random salt and an `info` naming the store, so one string gives different keys for different
 * databases and purposes, and every replica of one database derives the same key. Each value is
 * sealed with associated data naming its row, so a ciphertext copied into another row does not open.
 */
export class SealedBox {
  readonly #key: Buffer

  private constructor(key: Buffer) {
    this.#key = key
  }

  /** Derives the 256-bit key from `secret`, the database's `salt` and the store's `purpose` (e.g. `persistence-sqlite`). */
  static derive(secret: string, salt: Uint8Array, purpose: string): SealedBox {
    const info = `mxcp-auth/${purpose}/upstream-secrets/v1`
    return new SealedBox(Buffer.from(hkdfSync('sha256', secret, salt, info, KEY_BYTES)))
  }

  /** Encrypts `plaintext`, authenticating `associatedData` alongside it. */
  seal(plaintext: string, associatedData: string): Buffer {
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES })
    cipher.setAAD(Buffer.from(associatedData, 'utf8'))
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body])
  }

  /** Decrypts what `seal` produced; throws `UnsealError` rather than return anything unauthenticated. */
  open(sealed: Uint8Array, associatedData: string): string {
    const bytes = Buffer.from(sealed)
    if (bytes.length < HEADER_BYTES || bytes[0] !== VERSION)
      throw new UnsealError('A sealed value has an unknown format')
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
        'A sealed value does not authenticate (another encryption key, or an altered row)',
      )
    }
  }
}

/** What a store writes once, when a key is first bound to its database (in its `meta` table). */
export interface KeyBinding {
  readonly salt: Buffer
  readonly check: Buffer
  readonly box: SealedBox
}

/** Binds `secret` to a new database: a random salt and a sealed key check value to store beside it. */
export function bindKey(secret: string, purpose: string): KeyBinding {
  const salt = randomBytes(SALT_BYTES)
  const box = SealedBox.derive(secret, salt, purpose)
  return { salt, check: box.seal(CHECK_PLAINTEXT, CHECK_ASSOCIATED_DATA), box }
}

/** The box for `secret` if it is the key the database was bound to (its key check opens), else undefined. */
export function unlockKey(
  secret: string,
  purpose: string,
  salt: Uint8Array,
  check: Uint8Array,
): SealedBox | undefined {
  const box = SealedBox.derive(secret, salt, purpose)
  try {
    return box.open(check, CHECK_ASSOCIATED_DATA) === CHECK_PLAINTEXT ? box : undefined
  } catch (error) {
    if (error instanceof UnsealError) return undefined
    throw error
  }
}

brandError(UnsealError, 'unseal')
