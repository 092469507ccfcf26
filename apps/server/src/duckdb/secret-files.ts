import type { ResolvedConfig } from '@mxcp/auth-core'
import { defaultKeyFilePath, legacyKeyFilePath } from '@mxcp/persistence-sqlite'

/**
 * The files that hold OAuth secrets on this machine: the SQLite OAuth database with its
 * `-wal`/`-shm` and its generated key file (present, old and default places). SQL must reach
 * none of them; `openDatabase` refuses an allow-list that would.
 */
export function oauthSecretFiles(config: ResolvedConfig): string[] {
  const persistence = config.auth.persistence
  if (persistence === undefined || config.auth.provider === 'none' || persistence.type !== 'sqlite') return []
  const path = persistence.path
  const files = [path, `${path}-wal`, `${path}-shm`, legacyKeyFilePath(path)]
  if (persistence.encryption_key === undefined) files.push(persistence.key_file ?? defaultKeyFilePath(path))
  return files
}
