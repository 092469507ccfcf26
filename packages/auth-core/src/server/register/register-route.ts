import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { randomToken, sha256 } from '../../crypto.js'
import { CLIENT_SECRET_PREFIX, REGISTER_BODY_LIMIT } from '../../defaults.js'
import { InvalidClientMetadataError } from '../../errors/oauth-error.js'
import { emitEvent } from '../../events/auth-events.js'
import { NO_STORE_HEADERS } from '../../http/security-headers.js'
import type { ClientRecord } from '../../store/records.js'
import type { AuthContext } from '../auth-context.js'
import { parseClientMetadata } from './client-metadata.js'

/**
 * `POST /register` (RFC 7591 §3): validates the metadata, stores the client (its secret, if it
 * gets one, only as a SHA-256 hash) and answers 201 with the registered metadata, including
 * `redirect_uris` (the MCP SDK parses the answer as full client information). A secret is shown
 * once and never expires (`client_secret_expires_at: 0`; MCP-NOTES B.6 #8).
 */
export function registerRegisterRoute(app: FastifyInstance, context: AuthContext): void {
  app.post(
    '/register',
    {
      bodyLimit: REGISTER_BODY_LIMIT,
      config: { oauthErrorCode: 'invalid_client_metadata' },
      onSend: async (_request, reply, payload) => {
        reply.headers(NO_STORE_HEADERS)
        return payload
      },
    },
    async (request, reply) => {
      if (!(request.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
        throw new InvalidClientMetadataError('Send the client metadata as application/json')
      }
      const metadata = parseClientMetadata(
        request.body,
        context.supportedScopes,
        context.auth.authorization.required_scopes,
      )
      const now = context.clock.now()
      const clientId = randomUUID()
      const secret =
        metadata.token_endpoint_auth_method === 'none' ? undefined : randomToken(CLIENT_SECRET_PREFIX)
      const record: ClientRecord = {
        clientId,
        clientSecretHash: secret === undefined ? undefined : sha256(secret),
        clientName: metadata.client_name ?? 'Unnamed application',
        redirectUris: metadata.redirect_uris,
        grantTypes: metadata.grant_types,
        responseTypes: metadata.response_types,
        scopes: metadata.scope.split(' '),
        tokenEndpointAuthMethod: metadata.token_endpoint_auth_method,
        issuedAt: now,
        secretExpiresAt: 0,
        metadata: { ...metadata },
      }
      await context.store.saveClient(record)
      await context.clients.leases?.registered(clientId)
      request.log.info(
        { clientId, clientName: record.clientName, authMethod: record.tokenEndpointAuthMethod },
        'client registered',
      )
      emitEvent(context.events, {
        type: 'client_registered',
        clientId,
        clientName: record.clientName,
        requestId: request.id,
      })
      return reply.code(201).send({
        client_id: clientId,
        ...(secret === undefined ? {} : { client_secret: secret, client_secret_expires_at: 0 }),
        client_id_issued_at: Math.floor(now / 1000),
        ...metadata,
      })
    },
  )
}
