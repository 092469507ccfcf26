import type { FastifyInstance, FastifyRequest } from 'fastify'
import { authenticateClient, readCredentials } from '../../clients/authenticate-client.js'
import { FORM_BODY_LIMIT } from '../../defaults.js'
import {
  InvalidRequestError,
  UnauthorizedClientError,
  UnsupportedGrantTypeError,
} from '../../errors/oauth-error.js'
import { emitEvent } from '../../events/auth-events.js'
import { ParamReader } from '../../http/params.js'
import { NO_STORE_HEADERS } from '../../http/security-headers.js'
import { parseScope } from '../../oauth/scopes.js'
import { type AuthContext, requestUrls } from '../auth-context.js'
import { authorizationCodeGrant } from './authorization-code-grant.js'
import type { TokenResponse } from './issue-tokens.js'
import { refreshTokenGrant } from './refresh-token-grant.js'
import { ReplayDetectedError } from './replay-detected-error.js'

const GRANTS = { authorization_code: authorizationCodeGrant, refresh_token: refreshTokenGrant } as const

function isGrantType(value: string): value is keyof typeof GRANTS {
  return Object.hasOwn(GRANTS, value)
}

/** A replay: one warn line (the family is already revoked) and a `replay_detected` event. */
function reportReplay(context: AuthContext, request: FastifyRequest, error: ReplayDetectedError): void {
  const { what, clientId, revokedTokens } = error
  request.log.warn(
    { clientId, what, revokedTokens },
    `${what.replace('_', ' ')} replayed: its token family is revoked`,
  )
  emitEvent(context.events, { type: 'replay_detected', what, clientId, revokedTokens, requestId: request.id })
}

/** RFC 6749 §3.2: the token endpoint takes form parameters. */
export function requireFormBody(contentType: string | undefined): void {
  if (!(contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    throw new InvalidRequestError('Send the request as application/x-www-form-urlencoded')
  }
}

/**
 * `POST /token` (RFC 6749 §3.2): authenticate the client (`none`, `client_secret_post`,
 * `client_secret_basic`), then the grant. Every response, success or error, carries
 * `Cache-Control: no-store` and `Pragma: no-cache` (RFC 6749 §5.1); errors are §5.2 JSON.
 */
export function registerTokenRoute(app: FastifyInstance, context: AuthContext): void {
  app.post(
    '/token',
    {
      bodyLimit: FORM_BODY_LIMIT,
      onSend: async (_request, reply, payload) => {
        reply.headers(NO_STORE_HEADERS)
        return payload
      },
    },
    async (request, reply) => {
      requireFormBody(request.headers['content-type'])
      const urls = requestUrls(context, request)
      const params = new ParamReader(request.body)
      const credentials = readCredentials(request.headers.authorization, params)
      // A URL client_id is authenticated by fetching its metadata document: a request that cannot
      // succeed must not cause that fetch, so the cheap checks come first (issue 15, point 2).
      if (context.clients.isMetadataDocumentClient(credentials.clientId)) {
        const grantType = params.required('grant_type')
        if (isGrantType(grantType))
          params.required(grantType === 'authorization_code' ? 'code' : 'refresh_token')
      }
      const client = await authenticateClient(
        credentials,
        context.clients,
        context.clock.now(),
        // RFC 7523 §3: a client assertion's `aud` is our issuer or our token endpoint.
        [urls.issuer, `${urls.issuer}/token`],
      )
      const grantType = params.required('grant_type')
      if (!isGrantType(grantType))
        throw new UnsupportedGrantTypeError(`grant_type ${grantType.slice(0, 64)} is not supported`)
      if (!client.grantTypes.includes(grantType))
        throw new UnauthorizedClientError(`This client may not use grant_type ${grantType}`)
      let response: TokenResponse
      try {
        response = await GRANTS[grantType](context, client, params, urls)
      } catch (error) {
        if (error instanceof ReplayDetectedError) reportReplay(context, request, error)
        throw error
      }
      request.log.info({ clientId: client.clientId, grantType }, 'tokens issued')
      emitEvent(context.events, {
        type: grantType === 'refresh_token' ? 'token_refreshed' : 'token_issued',
        clientId: client.clientId,
        scopes: parseScope(response.scope),
        requestId: request.id,
      })
      return reply.code(200).send(response)
    },
  )
}
