import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'

// `pg` is not among the bench package's dependencies; it is borrowed from the package this bench
// measures. (bench/package.json could list @mxcp/persistence-postgres and pg instead.)
const require = createRequire(new URL('../../packages/persistence-postgres/package.json', import.meta.url))
const pg: { Client: new (config: { connectionString: string }) => PgClient } = require('pg')

interface PgClient {
  connect(): Promise<void>
  query(text: string): Promise<unknown>
  end(): Promise<void>
}

/** The local PostgreSQL (trust auth), as in the tests; MXCP_BENCH_DATABASE_URL overrides it. */
export const ADMIN_URL = process.env['MXCP_BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

/** A fresh database for one run; `drop()` removes it (and ends the replicas' connections to it). */
export async function createBenchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `mxcp_bench_${randomBytes(6).toString('hex')}`
  await admin(`CREATE DATABASE "${name}"`)
  const url = new URL(ADMIN_URL)
  url.pathname = `/${name}`
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) }
}
