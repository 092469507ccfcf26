import { createHash } from 'node:crypto'

/**
 * A 64-bit key for PostgreSQL's advisory locks (`pg_advisory_lock(bigint)`), derived from a label
 * such as `mxcp_auth:session:<id>`: the first 8 bytes of its SHA-256, as a signed decimal string
 * (node-postgres sends it as text; the SQL casts it to `bigint`). Advisory locks are shared by the
 * whole database, so every label starts with the schema name; two labels colliding would only make
 * two holders wait for each other.
 */
export function advisoryKey(label: string): string {
  return createHash('sha256').update(label).digest().readBigInt64BE(0).toString()
}

/** The lock held while migrations run, so replicas starting together migrate one at a time. */
export function migrationLockKey(schema: string): string {
  return advisoryKey(`${schema}:migrate`)
}

/** The lock a sweep takes with `pg_try_advisory_xact_lock`: one replica sweeps, the others skip. */
export function sweepLockKey(schema: string): string {
  return advisoryKey(`${schema}:sweep`)
}

/** The lock around one session's upstream refresh, across replicas. */
export function sessionLockKey(schema: string, sessionId: string): string {
  return advisoryKey(`${schema}:session:${sessionId}`)
}

/**
 * The lock that orders "revoke a family" against "save tokens into it": exclusive for the
 * revocation, shared for saving, so a save either ends before the revocation looks at the tokens
 * or starts after its marker is visible.
 */
export function familyLockKey(schema: string, familyId: string): string {
  return advisoryKey(`${schema}:family:${familyId}`)
}
