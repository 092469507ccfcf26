import type { UserContext } from '@mxcp/auth-core'
import type { FastifyRequest } from 'fastify'
import type { ServerIdentity } from '../mcp/create-mcp-server.js'
import type { Catalog } from '../mcp/served-items.js'

/** What the MCP route handlers share. */
export interface McpContext {
  readonly catalog: Catalog
  readonly identity: ServerIdentity
  /** The caller the guard established for this request. */
  readonly userOf: (request: FastifyRequest) => UserContext
}
