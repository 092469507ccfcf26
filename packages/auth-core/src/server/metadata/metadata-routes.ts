import type { FastifyInstance, FastifyRequest } from 'fastify'
import { type AuthContext, requestUrls } from '../auth-context.js'
import { ASSERTION_ALGORITHMS } from '../client-metadata/client-assertion.js'
import { authorizationServerMetadata } from './authorization-server-metadata.js'
import { protectedResourceMetadata, protectedResourceMetadataPath } from './protected-resource-metadata.js'

/**
 * `GET /.well-known/oauth-authorization-server` (RFC 8414 §3) and the protected resource metadata
 * at both `/.well-known/oauth-protected-resource` and its path-inserted form for the MCP path
 * (RFC 9728 §3.1; MCP clients try the latter first).
 */
export function registerMetadataRoutes(app: FastifyInstance, context: AuthContext): void {
  app.get('/.well-known/oauth-authorization-server', async (request) => {
    const { issuer } = requestUrls(context, request)
    return authorizationServerMetadata(issuer, context.supportedScopes, {
      enabled: context.auth.client_metadata.enabled,
      signingAlgorithms: ASSERTION_ALGORITHMS,
    })
  })
  const resourceMetadata = async (request: FastifyRequest) => {
    const { issuer, resource } = requestUrls(context, request)
    return protectedResourceMetadata(resource, issuer, context.supportedScopes)
  }
  app.get('/.well-known/oauth-protected-resource', resourceMetadata)
  app.get(protectedResourceMetadataPath(context.mcpPath), resourceMetadata)
}
