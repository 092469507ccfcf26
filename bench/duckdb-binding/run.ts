/**
 * Per-request cost of binding a caller in DuckDB: `SELECT get_username()` run through
 * `UserPool.withUser(user, …)` (lease, bind, guard, clear, return) versus the same query on a
 * connection leased from a plain free list with nobody bound. Both run on one in-memory
 * database with the user functions installed, with 4 requests in flight, in alternating slices
 * so that drift (JIT, CPU boost) hits both alike. Prints one JSON line; ratio = bound / unbound.
 *
 * Run from the repository root:
 *   node --conditions=@mxcp/source --import tsx bench/duckdb-binding/run.ts
 */
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api'
import { createUserPool, type SqlUser } from '@mxcp/duckdb-user-fns'

const CONCURRENCY = 4
const SLICE_MS = 150
const SLICES_PER_MODE = 10
const WARMUP_MS = 300
const QUERY = 'SELECT get_username()'

const users: SqlUser[] = Array.from({ length: 20 }, (_, i) => ({
  userId: String(i),
  username: `user${i}`,
  email: `user${i}@example.com`,
  provider: 'github',
  externalToken: `gho_bench_${i}`,
}))

type Request = (i: number) => Promise<unknown>

/** Runs `request` from CONCURRENCY loops for `ms`; returns how many completed. */
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

const instance = await DuckDBInstance.create(':memory:')
const pool = await createUserPool(instance, { size: CONCURRENCY })
const free: DuckDBConnection[] = []
for (let i = 0; i < CONCURRENCY; i++) free.push(await instance.connect())

const bound: Request = (i) => pool.withUser(users[i % users.length], (conn) => conn.run(QUERY))
const unbound: Request = async () => {
  const conn = free.pop()
  if (conn === undefined) throw new Error('no free connection: CONCURRENCY exceeds the free list')
  try {
    return await conn.run(QUERY)
  } finally {
    free.push(conn)
  }
}

await runFor(WARMUP_MS, bound)
await runFor(WARMUP_MS, unbound)
const totals = { bound: 0, unbound: 0 }
for (let slice = 0; slice < SLICES_PER_MODE; slice++) {
  totals.bound += await runFor(SLICE_MS, bound)
  totals.unbound += await runFor(SLICE_MS, unbound)
}
const seconds = (SLICE_MS * SLICES_PER_MODE) / 1000
const boundOpsPerSec = Math.round(totals.bound / seconds)
const unboundOpsPerSec = Math.round(totals.unbound / seconds)

await pool.close()
for (const conn of free) conn.disconnectSync()
instance.closeSync()

console.log(
  JSON.stringify({
    name: 'duckdb-binding',
    boundOpsPerSec,
    unboundOpsPerSec,
    ratio: Math.round((boundOpsPerSec / unboundOpsPerSec) * 1000) / 1000,
  }),
)
