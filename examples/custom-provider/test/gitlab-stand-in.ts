import { createHash, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** The user the stand-in signs in, as `GET /api/v4/user` describes them (GitLab's field names). */
export const GITLAB_USER = {
  id: 1234567,
  username: 'tanuki',
  name: 'Tanuki Fox',
  email: 'tanuki@example.com',
  confirmed_at: '2024-01-02T03:04:05.000Z',
  state: 'active',
}

/** A GitLab on loopback speaking GitLab's documented OAuth 2 and `/api/v4/user` wire format. */
export interface GitLabStandIn {
  readonly url: string
  readonly clientId: string
  readonly clientSecret: string
  /** Requests to `/oauth/token`, by grant type. */
  readonly tokenRequests: string[]
  close(): Promise<void>
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
  response.end(JSON.stringify(body))
}

async function form(request: IncomingMessage): Promise<URLSearchParams> {
  let text = ''
  for await (const chunk of request) text += chunk
  return new URLSearchParams(text)
}

/** Starts the stand-in: it approves every authorization request at once (the user consents). */
export async function startGitLabStandIn(): Promise<GitLabStandIn> {
  const clientId = `app-${randomBytes(4).toString('hex')}`
  const clientSecret = `gloas-${randomBytes(16).toString('hex')}`
  const codes = new Map<string, { challenge: string; redirectUri: string }>()
  const tokens = new Set<string>()
  const tokenRequests: string[] = []
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://stand-in')
    void (async () => {
      if (request.method === 'GET' && url.pathname === '/oauth/authorize') {
        const q = url.searchParams
        if (q.get('client_id') !== clientId || q.get('code_challenge_method') !== 'S256')
          return json(response, 400, { error: 'invalid_request' })
        const code = randomBytes(16).toString('hex')
        codes.set(code, {
          challenge: q.get('code_challenge') ?? '',
          redirectUri: q.get('redirect_uri') ?? '',
        })
        const back = new URL(q.get('redirect_uri') ?? '')
        back.searchParams.set('code', code)
        back.searchParams.set('state', q.get('state') ?? '')
        response.writeHead(302, { location: back.href })
        return response.end()
      }
      if (request.method === 'POST' && url.pathname === '/oauth/token') {
        const body = await form(request)
        tokenRequests.push(body.get('grant_type') ?? '')
        if (body.get('client_id') !== clientId || body.get('client_secret') !== clientSecret)
          return json(response, 401, {
            error: 'invalid_client',
            error_description: 'Client authentication failed',
          })
        const grant = codes.get(body.get('code') ?? '')
        codes.delete(body.get('code') ?? '')
        const verifier = body.get('code_verifier') ?? ''
        const challenge = createHash('sha256').update(verifier).digest('base64url')
        if (!grant || grant.challenge !== challenge || grant.redirectUri !== body.get('redirect_uri'))
          return json(response, 400, {
            error: 'invalid_grant',
            error_description: 'The provided authorization grant is invalid',
          })
        const accessToken = randomBytes(32).toString('hex')
        tokens.add(accessToken)
        return json(response, 200, {
          access_token: accessToken,
          token_type: 'Bearer',
          expires_in: 7200,
          refresh_token: randomBytes(32).toString('hex'),
          scope: 'read_user',
          created_at: Math.floor(Date.now() / 1000),
        })
      }
      if (request.method === 'GET' && url.pathname === '/api/v4/user') {
        const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1]
        if (!token || !tokens.has(token)) return json(response, 401, { message: '401 Unauthorized' })
        return json(response, 200, GITLAB_USER)
      }
      json(response, 404, { message: '404 Not Found' })
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    clientId,
    clientSecret,
    tokenRequests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
