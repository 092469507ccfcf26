import type { AuthConfig, OAuthStore } from '@mxcp/auth-core'
import { openPostgresStore } from '@mxcp/persistence-postgres'
import { openSqliteStore } from '@mxcp/persistence-sqlite'
import type { FastifyBaseLogger } from 'fastify'

/**
 * The OAuth store `auth.persistence` asks for: SQLite (a file, the guide's default type) or
 * PostgreSQL (several replicas). Undefined without a `persistence` block: the plugin then keeps
 * OAuth state in memory, and clients log in again after a restart.
 */
export async function openStore(
  auth: AuthConfig,
  logger: FastifyBaseLogger,
): Promise<OAuthStore | undefined> {
  const persistence = auth.persistence
  if (!persistence || auth.provider === 'none') return undefined
  if (persistence.type === 'postgres') {
    return openPostgresStore({
      url: persistence.url ?? '',
      encryptionKey: persistence.encryption_key ?? '',
      poolSize: persistence.pool_size,
      logger,
    })
  }
  return openSqliteStore({
    path: persistence.path,
    ...(persistence.encryption_key !== undefined && { encryptionKey: persistence.encryption_key }),
    ...(persistence.key_file !== undefined && { keyFile: persistence.key_file }),
    logger,
  })
}
