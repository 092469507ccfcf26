import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { type AuthContext, requestUrls } from '../auth-context.js'
import { ASSERTION_ALGORITHMS } from '../client-metadata/client-assertion.js'
import {
  authorizationServerMetadata,
  authorizationServerMetadataPath,
} from './authorization-server-metadata.js'
import { protectedResourceMetadata, protectedResourceMetadataPath } from './protected-resource-metadata.js'

/** RFC 9728 §3: the protected resource metadata of the host itself. */
export const BARE_RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource'

/** How long a cache may keep a metadata document (RFC 9111 §5.2.2.1). */
export const METADATA_MAX_AGE_SECONDS = 300

/**
 * `Cache-Control` on every metadata document, and, when its URLs come from the request, `Vary` on
 * every header that changes them (RFC 9110 §12.5.5), so a cache in front of us keys its copies by
 * them and never serves one built from someone else's headers (issue 15, point 3).
 */
function cacheHeaders(reply: FastifyReply, context: AuthContext): void {
  reply.header('cache-control', `public, max-age=${METADATA_MAX_AGE_SECONDS}`)
  if (context.urls.baseUrl) return
  const vary = ['Host']
  if (context.urls.trust) vary.push('X-Forwarded-Host', 'X-Forwarded-Proto', 'X-Forwarded-Scheme')
  reply.header('vary', vary.join(', '))
}

/**
 * `GET /.well-known/oauth-authorization-server[prefix]` (RFC 8414 §3, §3.1) and the protected resource metadata
 * at its path-inserted form for the MCP path (RFC 9728 §3.1; MCP clients try it first) and,
 * without a registration prefix, at `/.well-known/oauth-protected-resource` too.
 */
export function registerMetadataRoutes(app: FastifyInstance, context: AuthContext): void {
  app.get(authorizationServerMetadataPath(context.prefix), async (request, reply) => {
    const { issuer } = requestUrls(context, request)
    cacheHeaders(reply, context)
    return authorizationServerMetadata(issuer, context.supportedScopes, {
      enabled: context.auth.client_metadata.enabled,
      signingAlgorithms: ASSERTION_ALGORITHMS,
    })
  })
  const resourceMetadata = async (request: FastifyRequest, reply: FastifyReply) => {
    const { issuer, resource } = requestUrls(context, request)
    cacheHeaders(reply, context)
    return protectedResourceMetadata(resource, issuer, context.supportedScopes)
  }
  // The bare well-known URL names the whole host as one resource: served only without a prefix,
  // so that an app can hold several registrations (each under its prefix, with its MCP path).
  if (context.prefix === '') app.get(BARE_RESOURCE_METADATA_PATH, resourceMetadata)
  app.get(protectedResourceMetadataPath(context.mcpPath), resourceMetadata)
}
