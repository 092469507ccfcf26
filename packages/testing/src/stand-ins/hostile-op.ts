import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { exportJWK, type JWK, SignJWT } from 'jose'
import { type LoopbackServer, readBody, sendJson, startLoopbackServer } from './loopback-server.js'

/**
 * A hostile OpenID Provider on loopback: a well-formed OIDC code flow (discovery, authorize,
 * token, userinfo, keys, revocation; RS256 ID tokens bound to our nonce; PKCE S256 checked) whose
 * every answer a test can bend: any claim in the ID token, the user info or a refreshed ID token;
 * any `iss` on the authorization response; any `token_type`; any discovery field; a body of any
 * size; a delay before an answer or a stall in the middle of its body. Unlike the certified
 * `oidc-provider` stand-in it never refuses to misbehave, which is the point: our side must.
 */

export type HostileEndpoint = 'discovery' | 'authorize' | 'token' | 'userinfo' | 'jwks' | 'revoke'

/** What the hostile provider does; every field may be changed between (or during) tests. */
export interface HostileBehaviour {
  /** The user's claims, in the ID token and the user info. */
  claims: Record<string, unknown>
  /** Claims that replace `claims` in the user info only (a user info about someone else). */
  userinfoClaims: Record<string, unknown>
  /** Claims that replace `claims` (and `iss`) in ID tokens issued by a refresh. */
  refreshIdTokenClaims: Record<string, unknown>
  /**
   * The `iss` of the authorization response: `'issuer'` (ours, the default), `'omit'`, or a string
   * sent as is.
   */
  authorizationIss: 'issuer' | 'omit' | string
  /** `authorization_response_iss_parameter_supported` in the discovery document. */
  announceIss: boolean
  /** The `token_type` of token responses; `undefined` leaves it out. */
  tokenType: unknown
  /** Fields merged into the discovery document (move an endpoint, change the issuer, …). */
  discovery: Record<string, unknown>
  /** `token_endpoint_auth_methods_supported`. */
  authMethods: string[]
  /** Answer every revocation with this status and OAuth error. */
  revokeError: { status: number; error: string } | undefined
  /** Answer with this status and OAuth error at the token endpoint. */
  tokenError: { status: number; error: string; times: number } | undefined
  /** Pads one endpoint's JSON body to at least `bytes` (streamed, no Content-Length). */
  hugeBody: { endpoint: HostileEndpoint; bytes: number } | undefined
  /** Waits before answering one endpoint. */
  delay: { endpoint: HostileEndpoint; ms: number } | undefined
  /** Sends the headers and the start of the body, then stalls for `ms` before the rest. */
  stall: { endpoint: HostileEndpoint; ms: number } | undefined
}

/** A request the hostile provider received. */
export interface HostileRequest {
  readonly endpoint: HostileEndpoint | 'other'
  readonly method: string
  readonly path: string
  readonly headers: IncomingMessage['headers']
  readonly query: Readonly<Record<string, string>>
  readonly form: Readonly<Record<string, string>>
}

export interface HostileOpOptions {
  /** Default `hostile-client` / `hostile-secret`. */
  readonly clientId?: string
  readonly clientSecret?: string
  /** The provider's clock (ID token `iat`/`exp`), epoch ms. Default `Date.now`. */
  readonly now?: () => number
  /** Initial behaviour, merged over the defaults. */
  readonly behaviour?: Partial<HostileBehaviour>
}

export interface HostileOp {
  /** `http://127.0.0.1:<port>`: the issuer (plain http on loopback, which our side accepts). */
  readonly issuer: string
  readonly clientId: string
  readonly clientSecret: string
  /** Change freely; `reset()` restores the defaults. */
  behaviour: HostileBehaviour
  readonly requests: HostileRequest[]
  requestsTo(endpoint: HostileEndpoint): HostileRequest[]
  /** Restores the default behaviour and forgets requests. */
  reset(): void
  close(): Promise<void>
}

/** The default user: a verified email at example.com. */
export const HOSTILE_DEFAULT_CLAIMS: Readonly<Record<string, unknown>> = {
  sub: 'user-1',
  preferred_username: 'ada',
  email: 'ada@example.com',
  email_verified: true,
  name: 'Ada Lovelace',
}

function defaults(): HostileBehaviour {
  return {
    claims: { ...HOSTILE_DEFAULT_CLAIMS },
    userinfoClaims: {},
    refreshIdTokenClaims: {},
    authorizationIss: 'issuer',
    announceIss: false,
    tokenType: 'Bearer',
    discovery: {},
    authMethods: ['client_secret_basic', 'client_secret_post'],
    tokenError: undefined,
    revokeError: undefined,
    hugeBody: undefined,
    delay: undefined,
    stall: undefined,
  }
}

interface Grant {
  readonly nonce: string | undefined
  readonly challenge: string
  readonly redirectUri: string
}

/** Starts the hostile provider on 127.0.0.1. */
export async function startHostileOp(options: HostileOpOptions = {}): Promise<HostileOp> {
  const clientId = options.clientId ?? 'hostile-client'
  const clientSecret = options.clientSecret ?? 'hostile-secret'
  const now = options.now ?? Date.now
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'hostile-1', alg: 'RS256', use: 'sig' }
  const codes = new Map<string, Grant>()
  const refreshTokens = new Set<string>()
  const requests: HostileRequest[] = []
  let server: LoopbackServer | undefined
  const issuer = (): string => server?.url ?? ''

  const op: HostileOp = {
    get issuer() {
      return issuer()
    },
    clientId,
    clientSecret,
    behaviour: { ...defaults(), ...options.behaviour },
    requests,
    requestsTo: (endpoint) => requests.filter((request) => request.endpoint === endpoint),
    reset() {
      op.behaviour = defaults()
      requests.length = 0
    },
    close: () => server?.close() ?? Promise.resolve(),
  }

  const idToken = (claims: Record<string, unknown>, nonce: string | undefined): Promise<string> => {
    const seconds = Math.floor(now() / 1000)
    return new SignJWT({ ...(nonce ? { nonce } : {}), ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'hostile-1' })
      .setIssuer(String(claims['iss'] ?? issuer()))
      .setAudience(clientId)
      .setIssuedAt(seconds)
      .setExpirationTime(seconds + 3600)
      .sign(privateKey)
  }

  const tokenResponse = async (claims: Record<string, unknown>, nonce: string | undefined) => {
    const refreshToken = `rt-${randomBytes(12).toString('hex')}`
    refreshTokens.add(refreshToken)
    const tokenType = op.behaviour.tokenType
    return {
      access_token: `at-${randomBytes(12).toString('hex')}`,
      ...(tokenType === undefined ? {} : { token_type: tokenType }),
      expires_in: 300,
      refresh_token: refreshToken,
      id_token: await idToken(claims, nonce),
    }
  }

  const clientAuthenticated = (req: IncomingMessage, form: Record<string, string>): boolean => {
    const basic = req.headers.authorization?.match(/^Basic (.+)$/)?.[1]
    if (basic) {
      const [id, secret] = Buffer.from(basic, 'base64').toString('utf8').split(':').map(decodeURIComponent)
      return id === clientId && secret === clientSecret
    }
    if (form['client_assertion']) return form['client_id'] === clientId
    return form['client_id'] === clientId && form['client_secret'] === clientSecret
  }

  async function answer(res: ServerResponse, endpoint: HostileEndpoint, status: number, body: unknown) {
    const { delay, stall, hugeBody } = op.behaviour
    if (delay?.endpoint === endpoint) await server?.delay(delay.ms)
    let text = JSON.stringify(body)
    if (hugeBody?.endpoint === endpoint && typeof body === 'object' && body !== null) {
      text = `${text.slice(0, -1)},"padding":"`
      res.writeHead(status, { 'content-type': 'application/json' })
      res.write(text)
      const chunk = 'x'.repeat(64 * 1024)
      for (let sent = 0; sent < hugeBody.bytes && !res.destroyed; sent += chunk.length) {
        if (!res.write(chunk)) await drained(res)
      }
      res.end('"}')
      return
    }
    if (stall?.endpoint === endpoint) {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.write(text.slice(0, 10))
      await server?.delay(stall.ms)
      res.end(text.slice(10))
      return
    }
    sendJson(res, status, body)
  }

  server = await startLoopbackServer(async (req, res) => {
    const url = new URL(req.url ?? '/', issuer())
    const raw = req.method === 'POST' ? await readBody(req) : ''
    const form = Object.fromEntries(new URLSearchParams(raw))
    const endpoint = ENDPOINTS[url.pathname] ?? 'other'
    requests.push({
      endpoint,
      method: req.method ?? 'GET',
      path: url.pathname,
      headers: req.headers,
      query: Object.fromEntries(url.searchParams),
      form,
    })
    const b = op.behaviour
    switch (endpoint) {
      case 'discovery':
        return answer(res, endpoint, 200, {
          issuer: issuer(),
          authorization_endpoint: `${issuer()}/authorize`,
          token_endpoint: `${issuer()}/token`,
          userinfo_endpoint: `${issuer()}/userinfo`,
          jwks_uri: `${issuer()}/jwks`,
          revocation_endpoint: `${issuer()}/revoke`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: b.authMethods,
          ...(b.announceIss ? { authorization_response_iss_parameter_supported: true } : {}),
          ...b.discovery,
        })
      case 'jwks':
        return answer(res, endpoint, 200, { keys: [jwk] })
      case 'authorize': {
        const redirect = new URL(url.searchParams.get('redirect_uri') ?? '')
        const code = `code-${randomBytes(12).toString('hex')}`
        codes.set(code, {
          nonce: url.searchParams.get('nonce') ?? undefined,
          challenge: url.searchParams.get('code_challenge') ?? '',
          redirectUri: redirect.href,
        })
        redirect.searchParams.set('code', code)
        redirect.searchParams.set('state', url.searchParams.get('state') ?? '')
        if (b.authorizationIss !== 'omit')
          redirect.searchParams.set('iss', b.authorizationIss === 'issuer' ? issuer() : b.authorizationIss)
        res.writeHead(302, { location: redirect.href })
        res.end()
        return
      }
      case 'token': {
        if (b.tokenError && b.tokenError.times > 0) {
          b.tokenError.times -= 1
          return answer(res, endpoint, b.tokenError.status, { error: b.tokenError.error })
        }
        if (!clientAuthenticated(req, form)) return answer(res, endpoint, 401, { error: 'invalid_client' })
        if (form['grant_type'] === 'authorization_code') {
          const grant = codes.get(form['code'] ?? '')
          codes.delete(form['code'] ?? '')
          const verified =
            grant &&
            grant.redirectUri === form['redirect_uri'] &&
            createHash('sha256')
              .update(form['code_verifier'] ?? '')
              .digest('base64url') === grant.challenge
          if (!verified) return answer(res, endpoint, 400, { error: 'invalid_grant' })
          return answer(res, endpoint, 200, await tokenResponse(b.claims, grant.nonce))
        }
        if (form['grant_type'] === 'refresh_token' && refreshTokens.has(form['refresh_token'] ?? '')) {
          return answer(
            res,
            endpoint,
            200,
            await tokenResponse({ ...b.claims, ...b.refreshIdTokenClaims }, undefined),
          )
        }
        return answer(res, endpoint, 400, { error: 'invalid_grant' })
      }
      case 'userinfo':
        if (!req.headers.authorization?.startsWith('Bearer at-'))
          return answer(res, endpoint, 401, { error: 'invalid_token' })
        return answer(res, endpoint, 200, { ...b.claims, ...b.userinfoClaims })
      case 'revoke':
        if (b.revokeError) return answer(res, endpoint, b.revokeError.status, { error: b.revokeError.error })
        refreshTokens.delete(form['token'] ?? '')
        res.writeHead(200)
        res.end()
        return
      default:
        return sendJson(res, 404, { error: 'not_found' })
    }
  })
  return op
}

const ENDPOINTS: Readonly<Record<string, HostileEndpoint>> = {
  '/.well-known/openid-configuration': 'discovery',
  '/authorize': 'authorize',
  '/token': 'token',
  '/userinfo': 'userinfo',
  '/jwks': 'jwks',
  '/revoke': 'revoke',
}

/** Resolves when `res` can take more data, or is closed (the reader gave up). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}
