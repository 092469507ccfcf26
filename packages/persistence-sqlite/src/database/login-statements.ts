import { and, eq, gt, or, sql } from 'drizzle-orm'
import type { StoreDatabase } from './open-database.js'
import { fromExcluded, placeholders, rowPlaceholders } from './row-placeholders.js'
import { clients, codes, revokedFamilies, sessions, tokens, transactions } from './schema.js'

/**
 * The statements of a sign-in (registration, authorize, callback, code exchange), each built by
 * drizzle and prepared by SQLite once per connection, then run with placeholders filled: drizzle
 * would otherwise build the SQL of each on every call, a sixth of a login's CPU in the server.
 * Rows are bound through drizzle's column definitions (JSON, booleans) as before.
 */
export function prepareLoginStatements(db: StoreDatabase) {
  const param = sql.placeholder
  return {
    selectClient: db
      .select()
      .from(clients)
      .where(eq(clients.clientId, param('id')))
      .prepare(),
    /** A registration, or its update: the row replaced whole. */
    upsertClient: db
      .insert(clients)
      .values(rowPlaceholders(clients))
      .onConflictDoUpdate({ target: clients.clientId, set: fromExcluded(clients, 'clientId') })
      .prepare(),
    insertTransaction: db.insert(transactions).values(rowPlaceholders(transactions)).prepare(),
    /** Deleted and returned in one statement, so only one caller ever gets it. */
    takeTransaction: db
      .delete(transactions)
      .where(eq(transactions.id, param('id')))
      .returning()
      .prepare(),
    upsertSession: db
      .insert(sessions)
      .values(rowPlaceholders(sessions))
      .onConflictDoUpdate({ target: sessions.sessionId, set: fromExcluded(sessions, 'sessionId') })
      .prepare(),
    selectSession: db
      .select()
      .from(sessions)
      .where(eq(sessions.sessionId, param('id')))
      .prepare(),
    insertCode: db.insert(codes).values(rowPlaceholders(codes)).prepare(),
    selectCode: db
      .select()
      .from(codes)
      .where(eq(codes.codeHash, param('hash')))
      .prepare(),
    /** `plan.codeSet` of `planExchange`: always both columns. */
    useCode: db
      .update(codes)
      .set(placeholders(['consumed', 'consumedAt']))
      .where(eq(codes.codeHash, param('hash')))
      .prepare(),
    /** Whether a token of the family was used as a refresh token or revoked. */
    familyUsed: db
      .select({ tokenHash: tokens.tokenHash })
      .from(tokens)
      .where(
        and(eq(tokens.familyId, param('familyId')), or(eq(tokens.consumed, true), eq(tokens.revoked, true))),
      )
      .limit(1)
      .prepare(),
    revokeFamilyTokens: db
      .update(tokens)
      .set({ revoked: true })
      .where(eq(tokens.familyId, param('familyId')))
      .prepare(),
    /** The family, if it was revoked recently (`revokeFamily`). */
    revokedFamily: db
      .select({ familyId: revokedFamilies.familyId })
      .from(revokedFamilies)
      .where(
        and(eq(revokedFamilies.familyId, param('familyId')), gt(revokedFamilies.expiresAt, param('now'))),
      )
      .prepare(),
  }
}

export type LoginStatements = ReturnType<typeof prepareLoginStatements>
