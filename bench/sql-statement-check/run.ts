/**
 * Cost of the statement check of the built-in SQL tool: `execute_sql_query`'s path (split the
 * SQL with DuckDB's parser, prepare it, read its statement type, serialise its syntax tree and
 * look for refused functions, then run the prepared statement with capped reading) versus the
 * same query run unchecked through the same pool with the caller bound (what an operator's YAML
 * tool does). One locked-down database as `mxcp serve` opens it, 4 requests in flight,
 * alternating slices. Prints one JSON line; ratio = checked ÷ unchecked time per call.
 *
 * Run from the repository root:
 *   node --conditions=@mxcp/source --import tsx bench/sql-statement-check/run.ts
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SqlUser } from '@mxcp/duckdb-user-fns'
import { openDatabase } from '../../apps/server/src/duckdb/open-database.js'
import { runCheckedQuery } from '../../apps/server/src/duckdb/run-checked-query.js'
import { runQuery } from '../../apps/server/src/duckdb/run-query.js'

const CONCURRENCY = 4
const SLICE_MS = 150
const SLICES_PER_MODE = 10
const WARMUP_MS = 300
/** A typical caller query: a filter, a join-free aggregate and a user function. */
const QUERY = `SELECT get_username() AS who, count(*) AS n, max(range) AS top
FROM range(100) WHERE range % 3 = 0`

const users: SqlUser[] = Array.from({ length: 20 }, (_, i) => ({
  userId: String(i),
  username: `user${i}`,
  provider: 'github',
  externalToken: `gho_bench_${i}`,
}))

type Request = (i: number) => Promise<unknown>

async function runFor(ms: number, request: Request): Promise<number> {
  const deadline = performance.now() + ms
  let done = 0
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        await request(done)
        done++
      }
    }),
  )
  return done
}

const project = mkdtempSync(join(tmpdir(), 'mxcp-bench-sql-check-'))
const db = await openDatabase({
  path: ':memory:',
  readonly: false,
  projectDir: project,
  poolSize: CONCURRENCY,
})
const checked: Request = (i) => runCheckedQuery(db.pool, users[i % users.length], QUERY, db.refusedFunctions)
const unchecked: Request = (i) => runQuery(db.pool, users[i % users.length], QUERY)

await runFor(WARMUP_MS, checked)
await runFor(WARMUP_MS, unchecked)
const totals = { checked: 0, unchecked: 0 }
for (let slice = 0; slice < SLICES_PER_MODE; slice++) {
  totals.checked += await runFor(SLICE_MS, checked)
  totals.unchecked += await runFor(SLICE_MS, unchecked)
}
await db.close()
rmSync(project, { recursive: true, force: true })

const seconds = (SLICE_MS * SLICES_PER_MODE) / 1000
const checkedCallsPerSec = Math.round(totals.checked / seconds)
const uncheckedCallsPerSec = Math.round(totals.unchecked / seconds)
console.log(
  JSON.stringify({
    name: 'sql-statement-check',
    checkedCallsPerSec,
    uncheckedCallsPerSec,
    // Time per call: checked ÷ unchecked (1.25 = the check adds a quarter).
    ratio: Math.round((uncheckedCallsPerSec / checkedCallsPerSec) * 1000) / 1000,
  }),
)
