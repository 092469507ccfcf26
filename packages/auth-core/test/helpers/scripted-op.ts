import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { JWK } from 'jose'

/**
 * A minimal OpenID Provider on loopback for the ID token and key set rules of `OidcClient`: the
 * test decides the ID token of the next token response (any claims, any key, any `alg`), the key
 * set it publishes (or the status and body the key set endpoint answers), and the signing
 * algorithms the discovery document announces. It checks nothing: our side must.
 */
export interface ScriptedOp {
  readonly issuer: string
  /** The `id_token` of every token response (`undefined` leaves it out). */
  idToken: string | undefined
  /** The published keys. */
  keys: JWK[]
  /** Replaces the key set answer. */
  jwksAnswer: { status: number; body: string } | undefined
  /** `id_token_signing_alg_values_supported`. */
  algorithms: string[]
  /** The user info answer (default 200 with `{"sub":"user-1"}`). */
  userinfoAnswer: { status: number; headers?: Record<string, string>; body: string } | undefined
  /** How many requests an endpoint received. */
  count(endpoint: 'discovery' | 'token' | 'jwks' | 'revoke' | 'userinfo'): number
  close(): Promise<void>
}

export async function startScriptedOp(): Promise<ScriptedOp> {
  const counts = new Map<string, number>()
  let server: Server | undefined
  const issuer = (): string => `http://127.0.0.1:${(server?.address() as AddressInfo | undefined)?.port ?? 0}`
  const op: ScriptedOp = {
    get issuer() {
      return issuer()
    },
    idToken: undefined,
    keys: [],
    jwksAnswer: undefined,
    algorithms: ['RS256'],
    userinfoAnswer: undefined,
    count: (endpoint) => counts.get(endpoint) ?? 0,
    close: () => new Promise((resolve) => server?.close(() => resolve())),
  }
  const json = (res: import('node:http').ServerResponse, status: number, body: string): void => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(body)
  }
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', issuer()).pathname
    const endpoint =
      path === '/.well-known/openid-configuration' ? 'discovery' : (path.slice(1).split('/')[0] ?? '')
    counts.set(endpoint, (counts.get(endpoint) ?? 0) + 1)
    req.resume()
    req.on('end', () => {
      if (endpoint === 'discovery')
        return json(
          res,
          200,
          JSON.stringify({
            issuer: issuer(),
            authorization_endpoint: `${issuer()}/authorize`,
            token_endpoint: `${issuer()}/token`,
            jwks_uri: `${issuer()}/jwks`,
            userinfo_endpoint: `${issuer()}/userinfo`,
            revocation_endpoint: `${issuer()}/revoke`,
            response_types_supported: ['code'],
            subject_types_supported: ['public'],
            id_token_signing_alg_values_supported: op.algorithms,
          }),
        )
      if (endpoint === 'jwks')
        return json(
          res,
          op.jwksAnswer?.status ?? 200,
          op.jwksAnswer?.body ?? JSON.stringify({ keys: op.keys }),
        )
      if (endpoint === 'token')
        return json(
          res,
          200,
          JSON.stringify({
            access_token: 'scripted-access',
            token_type: 'Bearer',
            expires_in: 300,
            refresh_token: 'scripted-refresh',
            ...(op.idToken === undefined ? {} : { id_token: op.idToken }),
          }),
        )
      if (endpoint === 'userinfo') {
        const answer = op.userinfoAnswer ?? { status: 200, body: '{"sub":"user-1"}' }
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
        return res.end(answer.body)
      }
      if (endpoint === 'revoke') {
        res.writeHead(200)
        return res.end()
      }
      json(res, 404, '{"error":"not_found"}')
    })
  })
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  return op
}
