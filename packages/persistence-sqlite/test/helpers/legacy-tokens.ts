import type Database from 'better-sqlite3'

/**
 * Puts back `tokens` as releases before migration 0004 had it (0000, 0001 and 0003: keyed by the
 * hash, with the covering index `tokens_lookup`), empty, and forgets the migrations from `since`
 * (a journal `when`) on, so the next start applies them again on it.
 */
export function restoreLegacyTokensTable(raw: Database.Database, since: number): void {
  raw.prepare('DELETE FROM __drizzle_migrations WHERE created_at >= ?').run(since)
  raw.exec(`
    DROP TABLE tokens;
    CREATE TABLE tokens (
      token_hash text PRIMARY KEY NOT NULL, kind text NOT NULL, client_id text NOT NULL,
      session_id text NOT NULL, family_id text NOT NULL, scopes text NOT NULL,
      resource text NOT NULL, created_at integer NOT NULL, expires_at integer NOT NULL,
      revoked integer DEFAULT false NOT NULL, consumed integer DEFAULT false NOT NULL,
      rotated_at integer, successor_hash text
    );
    CREATE INDEX tokens_family_id ON tokens (family_id);
    CREATE INDEX tokens_session_id ON tokens (session_id);
    CREATE INDEX tokens_expires_at ON tokens (expires_at);
    CREATE INDEX tokens_client_id ON tokens (client_id);
    CREATE INDEX tokens_lookup ON tokens (token_hash, kind, client_id, session_id, family_id,
      scopes, resource, created_at, expires_at, revoked, consumed, rotated_at, successor_hash);
  `)
}
