import { createPrivateKey, type KeyObject, webcrypto } from 'node:crypto'
import { ConfigError } from '../config/config-error.js'

/** A private key for `private_key_jwt` (OIDC Core §9), with the algorithm it signs with. */
export interface ClientAssertionKey {
  readonly key: KeyObject
  readonly alg: 'RS256' | 'ES256' | 'ES384' | 'EdDSA'
  readonly kid?: string | undefined
}

/** Reads a PEM private key (`<provider>.private_key`); RSA, EC P-256/P-384 or Ed25519. */
export function clientAssertionKey(field: string, pem: string, kid?: string): ClientAssertionKey {
  let key: KeyObject
  try {
    key = createPrivateKey(pem)
  } catch {
    throw new ConfigError(`${field} is not a PEM private key`)
  }
  const curve = key.asymmetricKeyDetails?.namedCurve
  const alg =
    key.asymmetricKeyType === 'rsa'
      ? 'RS256'
      : key.asymmetricKeyType === 'ed25519'
        ? 'EdDSA'
        : key.asymmetricKeyType === 'ec' && curve === 'prime256v1'
          ? 'ES256'
          : key.asymmetricKeyType === 'ec' && curve === 'secp384r1'
            ? 'ES384'
            : undefined
  if (!alg) throw new ConfigError(`${field} must be an RSA, EC P-256/P-384 or Ed25519 key`)
  return { key, alg, kid }
}

/** The WebCrypto import parameters of each assertion algorithm. */
const SUBTLE_ALGORITHMS: Readonly<
  Record<
    ClientAssertionKey['alg'],
    webcrypto.AlgorithmIdentifier | webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams
  >
> = {
  RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
  ES384: { name: 'ECDSA', namedCurve: 'P-384' },
  EdDSA: { name: 'Ed25519' },
}

/**
 * Our key as the library signs client assertions with it (RFC 7523 §3, OIDC Core §9
 * `private_key_jwt`, `oauth4webapi.PrivateKeyJwt`): a non-extractable WebCrypto key, with its `kid`.
 * The assertion then has `iss` and `sub` our client id, `aud` the provider's issuer identifier
 * (which no other server can accept), a fresh `jti`, and 60 s of life.
 */
export async function assertionSigningKey(
  key: ClientAssertionKey,
): Promise<{ key: webcrypto.CryptoKey; kid?: string }> {
  const der = key.key.export({ format: 'der', type: 'pkcs8' })
  const cryptoKey = await webcrypto.subtle.importKey('pkcs8', der, SUBTLE_ALGORITHMS[key.alg], false, [
    'sign',
  ])
  return key.kid ? { key: cryptoKey, kid: key.kid } : { key: cryptoKey }
}
