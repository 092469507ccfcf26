import { createPrivateKey, type KeyObject, randomUUID } from 'node:crypto'
import { SignJWT } from 'jose'
import { ConfigError } from '../config/config-error.js'

/** RFC 7523 §2.2: the `client_assertion_type` of a JWT client assertion. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
/** How long an assertion we sign lives (seconds); it is used once, at once. */
const ASSERTION_LIFETIME_S = 60

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

/**
 * A client assertion (RFC 7523 §3, OIDC Core §9 `private_key_jwt`): `iss` and `sub` our client
 * id, `aud` the provider's issuer identifier (the audience draft-ietf-oauth-rfc7523bis asks for,
 * which no other server can accept), a fresh `jti`, 60 s of life.
 */
export function signClientAssertion(
  key: ClientAssertionKey,
  clientId: string,
  audience: string,
  nowMs: number,
): Promise<string> {
  const now = Math.floor(nowMs / 1000)
  return new SignJWT({})
    .setProtectedHeader({ alg: key.alg, ...(key.kid ? { kid: key.kid } : {}) })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(audience)
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + ASSERTION_LIFETIME_S)
    .sign(key.key)
}
