import type { AuthorizationServer } from 'oauth4webapi'
import { UpstreamResponseError } from '../errors/upstream-error.js'
import { isLoopbackHost } from './endpoint-url.js'
import { asRecord, stringField } from './http.js'
import { acceptedIdTokenAlgorithms } from './id-token.js'

/**
 * What we use of an OpenID Provider's metadata (OpenID Connect Discovery 1.0 §3), narrowed from
 * the discovery document. `raw` keeps the whole document for anything a provider wants besides.
 */
export interface OidcProviderMetadata {
  readonly issuer: string
  readonly authorizationEndpoint: string
  readonly tokenEndpoint: string
  /** Absent when the provider has none (OIDC Discovery §3 makes it RECOMMENDED, not REQUIRED). */
  readonly userinfoEndpoint: string | undefined
  readonly jwksUri: string
  /** RFC 8414 §2 / RFC 7009: absent when the provider does not support revocation. */
  readonly revocationEndpoint: string | undefined
  /** OIDC Discovery §3: the default when omitted is `client_secret_basic`. */
  readonly tokenEndpointAuthMethods: readonly string[]
  /** OIDC Discovery §3: `id_token_signing_alg_values_supported` (REQUIRED, must contain RS256). */
  readonly idTokenSigningAlgs: readonly string[]
  /** RFC 8414 §2: absent means the provider did not say whether it supports PKCE. */
  readonly codeChallengeMethods: readonly string[] | undefined
  readonly raw: Readonly<Record<string, unknown>>
  /**
   * The document as oauth4webapi takes it, with `id_token_signing_alg_values_supported` cut down
   * to the algorithms we accept (`acceptedIdTokenAlgorithms`). One object per fetched document:
   * the library keys its key set cache on it.
   */
  readonly server: AuthorizationServer
}

/**
 * The discovery URL of an issuer (OIDC Discovery §4.1): `/.well-known/openid-configuration`
 * appended to the issuer after removing any trailing `/`, so that an issuer with a path
 * (`https://sso.example.com/realms/main`) keeps it.
 */
export function discoveryUrl(issuer: string): URL {
  return new URL(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`)
}

/**
 * Narrows a discovery document. The `issuer` it names must be exactly the one we asked
 * (OIDC Discovery §4.3), and every endpoint must be an absolute `https` URL, or plain `http` on
 * a loopback host (a local provider, test stand-ins): whatever the issuer's own scheme, a document
 * may never send our client secret or a user's code over plain http to another machine
 * (RFC 9700 §2.6, OIDC Discovery §3 "MUST use the https scheme").
 */
export function parseOidcMetadata(
  body: unknown,
  expectedIssuer: string,
  provider: string,
): OidcProviderMetadata {
  const doc = asRecord(body, provider, 'discovery document')
  const issuer = stringField(doc, 'issuer')
  // OIDC Discovery §4.3: "MUST be identical to the Issuer URL"; we forgive only a trailing slash in the config.
  if (issuer === undefined || issuer.replace(/\/+$/, '') !== expectedIssuer.replace(/\/+$/, '')) {
    throw new UpstreamResponseError(
      provider,
      `${provider} discovery document names issuer ${JSON.stringify(issuer ?? null)}, expected ${JSON.stringify(expectedIssuer)}`,
    )
  }
  const endpoint = (key: string): string | undefined => {
    const value = stringField(doc, key)
    if (value === undefined) return undefined
    let url: URL
    try {
      url = new URL(value)
    } catch (cause) {
      throw new UpstreamResponseError(
        provider,
        `${provider} discovery ${key} is not an absolute URL`,
        undefined,
        { cause },
      )
    }
    const allowed = url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))
    if (!allowed)
      throw new UpstreamResponseError(
        provider,
        `${provider} discovery ${key} must be an https URL (http is accepted on loopback only)`,
      )
    return url.href
  }
  const required = (key: string): string => {
    const value = endpoint(key)
    if (value === undefined)
      throw new UpstreamResponseError(provider, `${provider} discovery document has no ${key}`)
    return value
  }
  const idTokenSigningAlgs = stringList(doc, 'id_token_signing_alg_values_supported') ?? ['RS256']
  return {
    issuer,
    authorizationEndpoint: required('authorization_endpoint'),
    tokenEndpoint: required('token_endpoint'),
    userinfoEndpoint: endpoint('userinfo_endpoint'),
    jwksUri: required('jwks_uri'),
    revocationEndpoint: endpoint('revocation_endpoint'),
    tokenEndpointAuthMethods: stringList(doc, 'token_endpoint_auth_methods_supported') ?? [
      'client_secret_basic',
    ],
    idTokenSigningAlgs,
    codeChallengeMethods: stringList(doc, 'code_challenge_methods_supported'),
    raw: doc,
    server: {
      ...doc,
      issuer,
      id_token_signing_alg_values_supported: acceptedIdTokenAlgorithms(idTokenSigningAlgs),
    },
  }
}

/** A JSON array of strings, or undefined when absent or of another shape. */
function stringList(record: Record<string, unknown>, key: string): string[] | undefined {
  const value = record[key]
  if (!Array.isArray(value)) return undefined
  const strings = value.filter((item): item is string => typeof item === 'string')
  return strings.length > 0 ? strings : undefined
}
