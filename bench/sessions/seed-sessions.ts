import { randomBytes } from 'node:crypto'
import type { SessionRecord } from '@mxcp/auth-core/store-kit'
import { sessionToRow } from '@mxcp/auth-core/store-kit'
import { sha256 } from '@mxcp/auth-core/testing'
import { openSqliteStore } from '@mxcp/persistence-sqlite'
// The store writes one row per call with synchronous=FULL (an fsync each, about 7 ms here): 100
// thousand sessions that way would take minutes. The bench writes them in one transaction
// instead, sealed by the shared record codec and the store's key (its internals, reached by path), with
// the statements `saveSession` and `saveTokens` amount to. A column renamed in the store's
// schema fails here loudly.
import { openDatabase } from '../../packages/persistence-sqlite/src/database/open-database.js'
import { tokenKeyBase } from '../../packages/persistence-sqlite/src/database/token-key.js'
import { unlockSealedBox } from '../../packages/persistence-sqlite/src/encryption/key-check.js'

const DAY = 86_400_000
/** Random bytes per seeded user: session id, family id, upstream token, bearer token. */
const RANDOM_PER_USER = 16 + 16 + 32 + 32

/** Where and what `seedSessions` writes. */
export interface SeedOptions {
  readonly path: string
  readonly encryptionKey: string
  readonly count: number
  /** The audience of every token: the server's canonical MCP URL. */
  readonly resource: string
}

/** A GitHub user as the GitHub provider maps one, distinct per session, fetched just now. */
function session(i: number, sessionId: string, upstreamToken: string, now: number): SessionRecord {
  const login = `user-${i}`
  return {
    sessionId,
    provider: 'github',
    user: {
      userId: String(1_000_000 + i),
      username: login,
      email: `${login}@example.com`,
      name: `Bench User ${i}`,
      rawProfile: { id: 1_000_000 + i, login, name: `Bench User ${i}`, email: null },
    },
    upstream: { accessToken: upstreamToken, scope: 'user:email' },
    // Fresh: serving these sessions never calls the provider.
    userFetchedAt: now,
    createdAt: now,
    expiresAt: now + DAY,
  }
}

/**
 * Creates the SQLite OAuth store at `path` (schema and key binding by the store itself) and
 * fills it with `count` logged-in users: a session and a live access token each. Returns their
 * bearer tokens (`mxcp_at_…`), stored only as SHA-256 like any other.
 */
export async function seedSessions(options: SeedOptions): Promise<string[]> {
  await (await openSqliteStore({ path: options.path, encryptionKey: options.encryptionKey })).close()
  const db = openDatabase(options.path, 5_000)
  const raw = db.$client
  try {
    const box = unlockSealedBox(db, options.encryptionKey, options.path)
    // A throwaway loading connection: no fsync per page; the server reopens the file normally.
    raw.pragma('synchronous = OFF')
    raw.pragma('cache_size = -131072')
    const insertSession = raw.prepare(
      'INSERT INTO sessions (session_id, provider, user, upstream_sealed, user_fetched_at, created_at, expires_at) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?)',
    )
    const insertToken = raw.prepare(
      'INSERT INTO tokens (token_key, token_hash, kind, client_id, session_id, family_id, scopes, resource, created_at, expires_at, revoked, consumed) ' +
        "VALUES (?, ?, 'access', 'bench-client', ?, ?, '[\"mxcp:access\"]', ?, ?, ?, 0, 0) " +
        'ON CONFLICT (token_key) DO NOTHING',
    )
    const random = randomBytes(RANDOM_PER_USER * options.count)
    const now = Date.now()
    const bearers: string[] = []
    raw.transaction(() => {
      for (let i = 0; i < options.count; i++) {
        const bytes = random.subarray(RANDOM_PER_USER * i, RANDOM_PER_USER * (i + 1))
        const sessionId = bytes.subarray(0, 16).toString('base64url')
        const familyId = bytes.subarray(16, 32).toString('base64url')
        const upstream = `gho_${bytes.subarray(32, 64).toString('base64url')}`
        const bearer = `mxcp_at_${bytes.subarray(64, 96).toString('base64url')}`
        bearers.push(bearer)
        const row = sessionToRow(session(i, sessionId, upstream, now), box)
        insertSession.run(sessionId, row.provider, row.userJson, row.upstreamSealed, now, now, now + DAY)
        // Under the store's key (token-key.ts): its base, or the next free one for a hash alike.
        const hash = sha256(bearer)
        let key = tokenKeyBase(hash)
        while (
          insertToken.run(key, hash, sessionId, familyId, options.resource, now, now + DAY).changes === 0
        )
          key++
      }
    })()
    return bearers
  } finally {
    raw.close()
  }
}
