import { pgTable } from 'drizzle-orm/pg-core'
import { defineTables } from './define-tables.js'

/**
 * The tables as drizzle-kit sees them when it writes `drizzle/*.sql` (`pnpm drizzle-kit generate`).
 * Unqualified on purpose: the migrations run with `search_path` set to the configured schema, so the
 * same committed SQL creates `mxcp_auth.tokens` in production and `mxcp_test_….tokens` in tests.
 */
export const {
  clients,
  transactions,
  codes,
  tokens,
  revokedFamilies,
  sessions,
  meta,
  singleUse,
  rateWindows,
} = defineTables(pgTable)
