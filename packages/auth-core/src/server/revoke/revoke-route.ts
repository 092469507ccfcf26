import type { FastifyInstance, FastifyRequest } from 'fastify'
import { authenticateClient, readCredentials } from '../../clients/authenticate-client.js'
import { sha256 } from '../../crypto.js'
import { FORM_BODY_LIMIT } from '../../defaults.js'
import { emitEvent } from '../../events/auth-events.js'
import { ParamReader } from '../../http/params.js'
import { NO_STORE_HEADERS } from '../../http/security-headers.js'
import type { TokenRecord } from '../../store/records.js'
import { type AuthContext, requestUrls } from '../auth-context.js'
import { requireFormBody } from '../token/token-route.js'

/**
 * A refresh token ends its grant: the whole family is revoked (RFC 7009 §2.1: "SHOULD also
 * invalidate all access tokens based on the same authorization grant"), and since one grant is
 * one sign-in, the session too; the provider is asked to revoke its tokens, best effort.
 */
async function endGrant(context: AuthContext, request: FastifyRequest, token: TokenRecord): Promise<void> {
  await context.store.revokeFamily(token.familyId)
  const session = await context.store.getSession(token.sessionId)
  if (!session) return
  await context.store.deleteSession(session.sessionId)
  if (!context.provider.revoke) return
  try {
    await context.provider.revoke(session.upstream)
  } catch (error) {
    request.log.warn(
      { provider: context.provider.id, reason: error instanceof Error ? error.message : 'unknown' },
      'upstream revocation failed',
    )
  }
}

/**
 * `POST /revoke` (RFC 7009): the client authenticates as at `/token`; a refresh token revokes
 * its family and ends the session, an access token only itself. Unknown tokens, and tokens of
 * another client, get the same 200 and nothing happens (§2.2: the client could not act on it).
 */
export function registerRevokeRoute(app: FastifyInstance, context: AuthContext): void {
  app.post(
    '/revoke',
    {
      bodyLimit: FORM_BODY_LIMIT,
      onSend: async (_request, reply, payload) => {
        reply.headers(NO_STORE_HEADERS)
        return payload
      },
    },
    async (request, reply) => {
      requireFormBody(request.headers['content-type'])
      const params = new ParamReader(request.body)
      const { issuer } = requestUrls(context, request)
      const credentials = readCredentials(request.headers.authorization, params)
      // No metadata-document fetch for a request that names no token (issue 15, point 2).
      if (context.clients.isMetadataDocumentClient(credentials.clientId)) params.required('token')
      const client = await authenticateClient(
        credentials,
        context.clients,
        context.clock.now(),
        // RFC 7523 §3: a client assertion's `aud` is our issuer, or the endpoint it is sent to.
        [issuer, `${issuer}/token`, `${issuer}/revoke`],
      )
      const tokenHash = sha256(params.required('token'))
      // token_type_hint is only a hint (§2.1): every kind is looked up the same way.
      params.optional('token_type_hint')
      const token = await context.store.getToken(tokenHash)
      if (token && token.clientId === client.clientId && !token.revoked) {
        if (token.kind === 'refresh') await endGrant(context, request, token)
        else await context.store.revokeToken(tokenHash)
        request.log.info({ clientId: client.clientId, kind: token.kind }, 'token revoked')
        emitEvent(context.events, {
          type: 'token_revoked',
          clientId: client.clientId,
          kind: token.kind,
          requestId: request.id,
        })
      }
      return reply.code(200).send()
    },
  )
}
