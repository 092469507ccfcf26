import type { TokenWrite } from '@mxcp/auth-core/store-kit'
import { eq, sql } from 'drizzle-orm'
import type { StoreDatabase } from './open-database.js'
import { placeholders } from './row-placeholders.js'
import { tokens } from './schema.js'

type Prepared = ReturnType<ReturnType<typeof updateStatement>['prepare']>

function updateStatement(db: StoreDatabase, columns: readonly string[]) {
  return db
    .update(tokens)
    .set(placeholders(columns))
    .where(eq(tokens.tokenHash, sql.placeholder('tokenHash')))
}

/**
 * Applies the token updates of a rotation (`TokenWrite`): one statement per set of columns a
 * write changes (a handful: `planRotation` only ever changes `consumed`, `rotatedAt` and
 * `successorHash`), prepared on its first use and run again afterwards with the values filled.
 */
export function tokenWrites(db: StoreDatabase): (write: TokenWrite) => void {
  const prepared = new Map<string, Prepared>()
  return ({ tokenHash, set }) => {
    // As drizzle's `set()` would: a column given as undefined is left as it is.
    const columns = Object.keys(set)
      .filter((column) => set[column as keyof typeof set] !== undefined)
      .sort()
    if (columns.length === 0) return
    const key = columns.join(',')
    let statement = prepared.get(key)
    if (statement === undefined) {
      statement = updateStatement(db, columns).prepare()
      prepared.set(key, statement)
    }
    statement.run({ ...set, tokenHash })
  }
}
