import { createHash, randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { type LoopbackServer, readBody, sendJson, startLoopbackServer } from './loopback-server.js'
import type { StandInOptions } from './stand-in-options.js'
import {
  applyFailure,
  recordRequest,
  redirect,
  type StandardStandIn,
  StandInControls,
  sendHtml,
} from './standard-shared.js'

/**
 * A stand-in for Google's OAuth 2.0 / OpenID Connect endpoints, on loopback, speaking their wire
 * format (developers.google.com/identity/protocols/oauth2/web-server and …/openid-connect):
 * `GET /o/oauth2/v2/auth`, `POST /token`, `GET /v1/userinfo`, `POST /revoke`, plus Google's
 * discovery document (`GOOGLE_DISCOVERY_DOCUMENT` at the stand-in's origin) at
 * `/.well-known/openid-configuration` and the key set at `/oauth2/v3/certs`; ID tokens are RS256
 * with Google's claims (`iss`, `azp`, `aud`, `sub`, `email`, `email_verified`, `hd`, `at_hash`,
 * `nonce`, profile claims), so it also serves as a generic OpenID issuer. Google's behaviour kept:
 * a refresh token only with `access_type=offline`, and only at the first consent unless
 * `prompt=consent`; refresh answers carry no new refresh token; short scope names come back
 * expanded (`email` → `…/auth/userinfo.email`); revoking any token of a grant ends the whole
 * grant; revoking a dead token answers 400 `invalid_token` (not RFC 7009's 200); an unknown
 * redirect URI is an error page, never a redirect.
 */

export type GoogleEndpoint = 'authorize' | 'token' | 'userinfo' | 'revoke' | 'discovery' | 'jwks'

export interface GoogleUser {
  readonly sub: string
  readonly email: string
  readonly email_verified: boolean
  readonly name: string
  readonly given_name: string
  readonly family_name: string
  readonly picture: string
  readonly locale: string
  /**
   * The Google Workspace domain of the account, sent as the `hd` claim; absent for a consumer
   * account (gmail.com, or a company address registered as a personal Google account), which
   * Google sends without `hd` (developers.google.com/identity/openid-connect/openid-connect,
   * "An ID token's payload": `hd` "The domain associated with the Google Workspace or Cloud
   * organization of the user. Provided only if the user belongs to a Google Cloud organization").
   */
  readonly hd?: string | undefined
}

/**
 * Options of `startGoogleStandIn`. Redirect URIs are matched exactly, as Google does (default
 * `http://localhost:8000/google/callback`).
 */
export interface GoogleStandInOptions extends StandInOptions<GoogleUser> {
  /** Seconds an access token lives (Google: 3599). */
  readonly accessTokenTtlS?: number
  /** The stand-in's clock, epoch ms (default `Date.now`); drives token expiry and ID token times. */
  readonly now?: () => number
}

/**
 * The running Google stand-in. `denyConsent`: the user clicks "Cancel" on the consent screen;
 * `rotateRefreshTokens`: refresh answers carry a new refresh token (Google's do not, by default).
 */
export interface GoogleStandIn extends StandardStandIn<GoogleEndpoint, GoogleUser> {
  /** The issuer of its ID tokens and discovery document (the stand-in's own origin). */
  readonly issuer: string
  /**
   * Values for the `google` config block: `issuer` (discovery of everything else), and
   * `auth_url`, `token_url`, `userinfo_url`, `revoke_url` (the same endpoints, set explicitly).
   */
  readonly endpoints: {
    issuer: string
    auth_url: string
    token_url: string
    userinfo_url: string
    revoke_url: string
  }
  /** The user removes the app's access (myaccount.google.com/permissions): every token dies. */
  revokeAll(): void
  /**
   * Claims that replace or add to those of the ID tokens issued from now on (a token for another
   * `aud`, another `hd`…), to test that they are refused; `{}` goes back to Google's.
   */
  setIdTokenClaims(claims: Readonly<Record<string, unknown>>): void
}

const SCOPE_ALIASES: Readonly<Record<string, string>> = {
  email: 'https://www.googleapis.com/auth/userinfo.email',
  profile: 'https://www.googleapis.com/auth/userinfo.profile',
}
const PATHS: Readonly<Record<string, GoogleEndpoint>> = {
  '/o/oauth2/v2/auth': 'authorize',
  '/token': 'token',
  '/v1/userinfo': 'userinfo',
  '/revoke': 'revoke',
  '/.well-known/openid-configuration': 'discovery',
  '/oauth2/v3/certs': 'jwks',
}

interface Grant {
  readonly sub: string
  readonly clientId: string
  readonly scopes: readonly string[]
  revoked: boolean
}
interface PendingCode {
  readonly grant: Grant
  readonly redirectUri: string
  readonly challenge: string | undefined
  readonly method: string
  readonly nonce: string | undefined
  readonly withRefreshToken: boolean
  readonly expiresAt: number
}

/**
 * Google's OpenID discovery document as https://accounts.google.com/.well-known/openid-configuration
 * serves it (developers.google.com/identity/openid-connect/openid-connect#discovery): the issuer
 * and the authorization endpoint on accounts.google.com, the token, revocation and device
 * endpoints on oauth2.googleapis.com, user info on openidconnect.googleapis.com, the keys on
 * www.googleapis.com.
 */
export const GOOGLE_DISCOVERY_DOCUMENT = {
  issuer: 'https://accounts.google.com',
  authorization_endpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
  device_authorization_endpoint: 'https://oauth2.googleapis.com/device/code',
  token_endpoint: 'https://oauth2.googleapis.com/token',
  userinfo_endpoint: 'https://openidconnect.googleapis.com/v1/userinfo',
  revocation_endpoint: 'https://oauth2.googleapis.com/revoke',
  jwks_uri: 'https://www.googleapis.com/oauth2/v3/certs',
  response_types_supported: [
    'code',
    'token',
    'id_token',
    'code token',
    'code id_token',
    'token id_token',
    'code token id_token',
    'none',
  ],
  subject_types_supported: ['public'],
  id_token_signing_alg_values_supported: ['RS256'],
  scopes_supported: ['openid', 'email', 'profile'],
  token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
  claims_supported: [
    'aud',
    'email',
    'email_verified',
    'exp',
    'family_name',
    'given_name',
    'iat',
    'iss',
    'name',
    'picture',
    'sub',
  ],
  code_challenge_methods_supported: ['plain', 'S256'],
  grant_types_supported: [
    'authorization_code',
    'refresh_token',
    'urn:ietf:params:oauth:grant-type:device_code',
    'urn:ietf:params:oauth:grant-type:jwt-bearer',
  ],
} as const

const GOOGLE_ORIGINS =
  /^https:\/\/(accounts\.google\.com|oauth2\.googleapis\.com|openidconnect\.googleapis\.com|www\.googleapis\.com)/

/** Google's discovery document with every Google origin replaced by `origin` (the stand-in's). */
export function googleDiscoveryDocumentAt(origin: string): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(GOOGLE_DISCOVERY_DOCUMENT).map(([key, value]) => [
      key,
      typeof value === 'string' ? value.replace(GOOGLE_ORIGINS, origin) : value,
    ]),
  )
}

const random = (prefix: string): string => prefix + randomBytes(24).toString('base64url')

/** Starts the Google stand-in on 127.0.0.1, port 0. */
export async function startGoogleStandIn(options: GoogleStandInOptions = {}): Promise<GoogleStandIn> {
  const now = options.now ?? Date.now
  const clientId = options.clientId ?? 'mxcp-test.apps.googleusercontent.com'
  const clientSecret = options.clientSecret ?? 'GOCSPX-stand-in-secret'
  const redirectUris = options.redirectUris ?? ['http://localhost:8000/google/callback']
  const ttl = options.accessTokenTtlS ?? 3599
  const user: GoogleUser = {
    sub: '110169484474386276334',
    email: 'ada@example.com',
    email_verified: true,
    name: 'Ada Lovelace',
    given_name: 'Ada',
    family_name: 'Lovelace',
    picture: 'https://lh3.googleusercontent.com/a/stand-in',
    locale: 'en',
    ...options.user,
  }
  const { privateKey, publicKey } = await generateKeyPair('RS256')
  const kid = randomBytes(8).toString('hex')
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }
  const codes = new Map<string, PendingCode>()
  const accessTokens = new Map<string, { grant: Grant; expiresAt: number }>()
  const refreshTokens = new Map<string, { grant: Grant; live: boolean }>()
  const consented = new Set<string>()
  const grants: Grant[] = []
  const controls = new StandInControls<GoogleEndpoint>()
  let idTokenClaims: Readonly<Record<string, unknown>> = {}
  let loopback: LoopbackServer | undefined
  let url = ''

  const expand = (scopes: readonly string[]): string =>
    scopes.map((scope) => SCOPE_ALIASES[scope] ?? scope).join(' ')

  const idToken = async (grant: Grant, nonce: string | undefined, accessToken: string): Promise<string> => {
    const iat = Math.floor(now() / 1000)
    const profile = grant.scopes.includes('profile')
      ? { name: user.name, picture: user.picture, given_name: user.given_name, family_name: user.family_name }
      : {}
    const email = grant.scopes.includes('email')
      ? { email: user.email, email_verified: user.email_verified }
      : {}
    // at_hash: left half of SHA-256 of the access token (OIDC Core §3.1.3.6), as Google sends it.
    const atHash = createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url')
    // Google's order: iss, azp, aud, sub, hd, email, email_verified, at_hash, nonce, profile, iat, exp.
    return new SignJWT({
      iss: url,
      azp: grant.clientId,
      aud: grant.clientId,
      sub: user.sub,
      // Google sends `hd` for every Workspace account, whatever the scope.
      ...(user.hd ? { hd: user.hd } : {}),
      ...email,
      at_hash: atHash,
      ...(nonce ? { nonce } : {}),
      ...profile,
      iat,
      exp: iat + 3600,
      ...idTokenClaims,
    })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .sign(privateKey)
  }

  const authorize = (res: ServerResponse, query: URLSearchParams): void => {
    if (query.get('client_id') !== clientId) {
      sendHtml(res, 401, '<h1>Error 401: invalid_client</h1>')
      return
    }
    const redirectUri = query.get('redirect_uri') ?? ''
    // Google never redirects to an unregistered URI: it shows this page.
    if (!redirectUris.includes(redirectUri)) {
      sendHtml(res, 400, '<h1>Error 400: redirect_uri_mismatch</h1>')
      return
    }
    const back = new URL(redirectUri)
    const stateParam = query.get('state')
    if (stateParam !== null) back.searchParams.set('state', stateParam)
    const scopes = (query.get('scope') ?? '').split(' ').filter(Boolean)
    if (query.get('response_type') !== 'code' || scopes.length === 0) {
      back.searchParams.set(
        'error',
        query.get('response_type') !== 'code' ? 'unsupported_response_type' : 'invalid_request',
      )
      redirect(res, back)
      return
    }
    if (controls.denyConsent) {
      back.searchParams.set('error', 'access_denied')
      redirect(res, back)
      return
    }
    const grant: Grant = { sub: user.sub, clientId, scopes, revoked: false }
    grants.push(grant)
    const offline = query.get('access_type') === 'offline'
    const firstConsent = !consented.has(clientId)
    const forcedConsent = (query.get('prompt') ?? '').split(' ').includes('consent')
    consented.add(clientId)
    const code = random('4/0A')
    codes.set(code, {
      grant,
      redirectUri,
      challenge: query.get('code_challenge') ?? undefined,
      // Google defaults to `plain` when a challenge comes without a method (RFC 7636 §4.3).
      method: query.get('code_challenge_method') ?? 'plain',
      nonce: query.get('nonce') ?? undefined,
      withRefreshToken: offline && (firstConsent || forcedConsent),
      expiresAt: now() + 10 * 60 * 1000,
    })
    back.searchParams.set('code', code)
    back.searchParams.set('scope', expand(scopes))
    back.searchParams.set('authuser', '0')
    back.searchParams.set('prompt', forcedConsent || firstConsent ? 'consent' : 'none')
    redirect(res, back)
  }

  const clientAuthenticated = (req: IncomingMessage, form: URLSearchParams): boolean | 'unknown' => {
    let id = form.get('client_id')
    let secret = form.get('client_secret')
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')
    if (basic?.[1]) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      id = decodeURIComponent(decoded.slice(0, colon))
      secret = decodeURIComponent(decoded.slice(colon + 1))
    }
    if (id !== clientId) return 'unknown'
    return secret === clientSecret
  }

  const issueAccess = async (grant: Grant, nonce: string | undefined): Promise<Record<string, unknown>> => {
    const accessToken = random('ya29.a0')
    accessTokens.set(accessToken, { grant, expiresAt: now() + ttl * 1000 })
    const body: Record<string, unknown> = {
      access_token: accessToken,
      expires_in: ttl,
      scope: expand(grant.scopes),
      token_type: 'Bearer',
    }
    if (grant.scopes.includes('openid')) body['id_token'] = await idToken(grant, nonce, accessToken)
    return body
  }

  const token = async (req: IncomingMessage, res: ServerResponse, form: URLSearchParams): Promise<void> => {
    const auth = clientAuthenticated(req, form)
    if (auth === 'unknown')
      return sendJson(res, 401, {
        error: 'invalid_client',
        error_description: 'The OAuth client was not found.',
      })
    if (!auth) return sendJson(res, 401, { error: 'invalid_client', error_description: 'Unauthorized' })
    const grantType = form.get('grant_type')
    if (grantType === 'authorization_code') {
      const code = codes.get(form.get('code') ?? '')
      codes.delete(form.get('code') ?? '')
      if (!code || code.expiresAt <= now() || code.grant.revoked) {
        return sendJson(res, 400, { error: 'invalid_grant', error_description: 'Bad Request' })
      }
      if (form.get('redirect_uri') !== code.redirectUri) {
        return sendJson(res, 400, { error: 'redirect_uri_mismatch', error_description: 'Bad Request' })
      }
      if (code.challenge !== undefined) {
        const verifier = form.get('code_verifier') ?? ''
        const computed =
          code.method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier
        if (!verifier || computed !== code.challenge) {
          return sendJson(res, 400, { error: 'invalid_grant', error_description: 'Invalid code verifier.' })
        }
      }
      const body = await issueAccess(code.grant, code.nonce)
      if (code.withRefreshToken) {
        const refreshToken = random('1//0')
        refreshTokens.set(refreshToken, { grant: code.grant, live: true })
        body['refresh_token'] = refreshToken
      }
      return sendJson(res, 200, body)
    }
    if (grantType === 'refresh_token') {
      const presented = form.get('refresh_token') ?? ''
      const stored = refreshTokens.get(presented)
      if (!stored?.live || stored.grant.revoked) {
        return sendJson(res, 400, {
          error: 'invalid_grant',
          error_description: 'Token has been expired or revoked.',
        })
      }
      const body = await issueAccess(stored.grant, undefined)
      if (controls.rotateRefreshTokens) {
        stored.live = false
        const refreshToken = random('1//0')
        refreshTokens.set(refreshToken, { grant: stored.grant, live: true })
        body['refresh_token'] = refreshToken
      }
      return sendJson(res, 200, body)
    }
    sendJson(res, 400, {
      error: 'unsupported_grant_type',
      error_description: `Invalid grant_type: ${grantType ?? ''}`,
    })
  }

  const userinfo = (req: IncomingMessage, res: ServerResponse): void => {
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? ''
    const stored = accessTokens.get(bearer)
    if (!stored || stored.expiresAt <= now() || stored.grant.revoked) {
      sendJson(
        res,
        401,
        { error: 'invalid_request', error_description: 'Invalid Credentials' },
        { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
      )
      return
    }
    const { scopes } = stored.grant
    sendJson(res, 200, {
      sub: user.sub,
      ...(scopes.includes('profile')
        ? {
            name: user.name,
            given_name: user.given_name,
            family_name: user.family_name,
            picture: user.picture,
            locale: user.locale,
          }
        : {}),
      ...(scopes.includes('email') ? { email: user.email, email_verified: user.email_verified } : {}),
      ...(user.hd ? { hd: user.hd } : {}),
    })
  }

  const revoke = (res: ServerResponse, form: URLSearchParams, query: URLSearchParams): void => {
    // Google takes the token from the body or the query string.
    const value = form.get('token') ?? query.get('token') ?? ''
    const grant = accessTokens.get(value)?.grant ?? refreshTokens.get(value)?.grant
    const liveAccess = accessTokens.get(value)
    const live = grant && !grant.revoked && (!liveAccess || liveAccess.expiresAt > now())
    if (!grant || !live) {
      sendJson(res, 400, { error: 'invalid_token', error_description: 'Token expired or revoked' })
      return
    }
    grant.revoked = true
    sendJson(res, 200, {})
  }

  const discovery = (res: ServerResponse): void => sendJson(res, 200, googleDiscoveryDocumentAt(url))

  loopback = await startLoopbackServer(async (req, res) => {
    const target = new URL(req.url ?? '/', url)
    const endpoint = PATHS[target.pathname]
    const record = recordRequest(endpoint ?? 'unknown', req, target)
    controls.requests.push(record)
    if (!endpoint) return sendHtml(res, 404, '<h1>404. That’s an error.</h1>')
    const text = req.method === 'POST' ? await readBody(req) : ''
    const form = new URLSearchParams(text)
    if (req.method === 'POST') record.form = Object.fromEntries(form)
    if (loopback && (await applyFailure(controls.failures.take(endpoint), res, loopback))) return
    const method = endpoint === 'token' || endpoint === 'revoke' ? 'POST' : 'GET'
    if (req.method !== method) return sendHtml(res, 405, '<h1>Error 405 (Method Not Allowed)</h1>')
    switch (endpoint) {
      case 'authorize':
        return authorize(res, target.searchParams)
      case 'token':
        return token(req, res, form)
      case 'userinfo':
        return userinfo(req, res)
      case 'revoke':
        return revoke(res, form, target.searchParams)
      case 'discovery':
        return discovery(res)
      case 'jwks':
        return sendJson(res, 200, { keys: [jwk] })
    }
  })
  url = loopback.url
  const server = loopback

  return Object.assign(controls, {
    url,
    issuer: url,
    clientId,
    clientSecret,
    user,
    endpoints: {
      issuer: url,
      auth_url: `${url}/o/oauth2/v2/auth`,
      token_url: `${url}/token`,
      userinfo_url: `${url}/v1/userinfo`,
      revoke_url: `${url}/revoke`,
    },
    setIdTokenClaims(claims: Readonly<Record<string, unknown>>) {
      idTokenClaims = claims
    },
    revokeAll() {
      for (const grant of grants) grant.revoked = true
    },
    close: () => server.close(),
  })
}
