/**
 * Token validation latency of the SQLite store with 1 thousand and with 1 million stored tokens.
 * Run from the repository root:
 *   node --conditions=@mxcp/source --import tsx bench/sqlite-scale/run.ts
 * Prints one JSON line. Figures are microseconds (p50, p99) of `getToken` by hash, and of the
 * whole check a request pays (SHA-256 of the presented token, then `getToken`); the ratios
 * 1M / 1k are what to compare across machines. Both stores are loaded first and warmed alike
 * (every token the lookups pick from looked up once, then as many random lookups as are timed),
 * then sampled in pairs, one lookup on each store, the order flipping from pair to pair: on a
 * shared machine, load comes in bursts of milliseconds, and a pair sees the same burst on both
 * sides, where slices of a thousand lookups did not. Bounded to well under 90 s on 2 cores.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
// bench/ does not depend on the package (yet): reach it, and its better-sqlite3, by path.
import { tokenKeyBase } from '../../packages/persistence-sqlite/src/database/token-key.js'
import { openSqliteStore } from '../../packages/persistence-sqlite/src/index.js'

type RawDatabase = {
  exec(sql: string): void
  pragma(sql: string, options?: { simple: boolean }): unknown
  prepare(sql: string): { run(...params: unknown[]): { changes: number } }
  close(): void
}
const requireFromPackage = createRequire(
  new URL('../../packages/persistence-sqlite/package.json', import.meta.url),
)
const Database = requireFromPackage('better-sqlite3') as new (path: string) => RawDatabase

/** Timed lookups per size, after as many untimed ones. */
const SAMPLES = 20_000
/** Distinct stored tokens the lookups pick from (all of them at 1k). */
const KEEP = 20_000
/** An access and a refresh token per grant. */
const TOKENS_PER_GRANT = 2
const HOUR = 3_600_000

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex')

/** `count` random tokens in our format (`mxcp_at_` + 32 random bytes, base64url). */
function randomTokens(count: number): string[] {
  const bytes = randomBytes(32 * count)
  return Array.from(
    { length: count },
    (_, i) => 'mxcp_at_' + bytes.subarray(32 * i, 32 * (i + 1)).toString('base64url'),
  )
}

/**
 * `count` token hashes in ascending order, uniformly spread: an increasing 32-bit prefix, then
 * random hex. Indistinguishable, for the B-tree, from SHA-256 of random tokens, but ready sorted,
 * so the load appends instead of splitting pages at random (much faster, same final tree).
 */
function sortedFillerHashes(count: number): string[] {
  const tails = randomBytes(28 * count)
  return Array.from(
    { length: count },
    (_, i) =>
      Math.floor((i * 2 ** 32) / count)
        .toString(16)
        .padStart(8, '0') + tails.subarray(28 * i, 28 * (i + 1)).toString('hex'),
  )
}

/**
 * Writes `count` access tokens in one transaction and returns the bearer strings of `KEEP` of
 * them (all at 1k), real tokens whose SHA-256 went in like any other; the rest are filler rows
 * whose bearer strings nobody needs. The loader is a throwaway connection, so it skips the WAL
 * and fsync that the store itself always uses.
 */
function bulkLoad(path: string, count: number, now: number): { kept: string[]; loadMs: number } {
  const started = performance.now()
  const kept = randomTokens(Math.min(count, KEEP))
  const hashes = [...sortedFillerHashes(count - kept.length), ...kept.map(sha256)]
  const raw = new Database(path)
  raw.pragma('journal_mode = DELETE')
  raw.pragma('synchronous = OFF')
  raw.pragma('cache_size = -262144')
  const insert = raw.prepare(
    'INSERT INTO tokens (token_key, token_hash, kind, client_id, session_id, family_id, scopes, resource, created_at, expires_at, revoked, consumed) ' +
      "VALUES (?, ?, 'access', ?, ?, ?, '[\"mxcp:access\"]', 'https://mcp.example.com/mcp', ?, ?, 0, 0) " +
      'ON CONFLICT (token_key) DO NOTHING',
  )
  raw.exec('BEGIN')
  hashes.forEach((hash, i) => {
    // Ids that grow with i, so these indexes are appended to as well.
    const grant = String(Math.floor(i / TOKENS_PER_GRANT)).padStart(8, '0')
    // Under the store's key: its base, or the next free one for a hash alike in its first digits.
    let key = tokenKeyBase(hash)
    while (
      insert.run(key, hash, `client-${i % 50}`, `session-${grant}`, `family-${grant}`, now, now + HOUR)
        .changes === 0
    )
      key++
  })
  raw.exec('COMMIT')
  raw.close()
  return { kept, loadMs: performance.now() - started }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}

interface Percentiles {
  p50Us: number
  p99Us: number
}

interface SizeResult {
  tokens: number
  samples: number
  getToken: Percentiles
  hashAndLookup: Percentiles
  unknownTokenUs: number
  openMs: number
  loadMs: number
  fileMb: number
}

function summary(durationsNs: number[]): Percentiles {
  const sorted = durationsNs.sort((a, b) => a - b)
  const us = (ns: number) => Math.round(ns / 10) / 100
  return { p50Us: us(percentile(sorted, 50)), p99Us: us(percentile(sorted, 99)) }
}

/** One store, loaded and open, with the bearer tokens its lookups pick from. */
interface Prepared {
  readonly count: number
  readonly folder: string
  readonly path: string
  readonly store: Awaited<ReturnType<typeof openSqliteStore>>
  readonly kept: string[]
  readonly loadMs: number
  readonly openMs: number
  readonly lookup: number[]
  readonly whole: number[]
}

async function prepare(count: number): Promise<Prepared> {
  const folder = mkdtempSync(join(tmpdir(), 'mxcp-bench-sqlite-'))
  const path = join(folder, 'oauth.db')
  await (await openSqliteStore({ path, encryptionKey: 'bench-key' })).close()
  const { kept, loadMs } = bulkLoad(path, count, Date.now())
  const opening = performance.now()
  const store = await openSqliteStore({ path, encryptionKey: 'bench-key' })
  const openMs = performance.now() - opening
  return { count, folder, path, store, kept, loadMs, openMs, lookup: [], whole: [] }
}

/** Each kept token once, in random order: every page the lookups reach is touched before timing. */
function everyKeptOnce(prepared: Prepared): string[] {
  const shuffled = [...prepared.kept]
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[shuffled[i], shuffled[j]] = [shuffled[j] ?? '', shuffled[i] ?? '']
  }
  return shuffled
}

/** Random picks, so consecutive lookups hit unrelated pages, as requests from many users do. */
function picks(prepared: Prepared, n: number): string[] {
  return Array.from(
    { length: n },
    () => prepared.kept[Math.floor(Math.random() * prepared.kept.length)] ?? '',
  )
}

/** `getToken` alone (the hash computed outside the clock), then hash and lookup together. */
async function sample(
  prepared: Prepared,
  tokens: readonly string[],
  what: 'lookup' | 'whole',
): Promise<void> {
  for (const token of tokens) {
    if (what === 'lookup') {
      const hash = sha256(token)
      const start = process.hrtime.bigint()
      const found = await prepared.store.getToken(hash)
      prepared.lookup.push(Number(process.hrtime.bigint() - start))
      if (!found) throw new Error('a stored token was not found')
    } else {
      const start = process.hrtime.bigint()
      const found = await prepared.store.getToken(sha256(token))
      prepared.whole.push(Number(process.hrtime.bigint() - start))
      if (!found) throw new Error('a stored token was not found')
    }
  }
}

async function result(prepared: Prepared): Promise<SizeResult> {
  const missStart = process.hrtime.bigint()
  if ((await prepared.store.getToken(sha256('mxcp_at_unknown'))) !== undefined)
    throw new Error('unknown token found')
  const missUs = Number(process.hrtime.bigint() - missStart) / 1000
  return {
    tokens: prepared.count,
    samples: prepared.lookup.length,
    getToken: summary(prepared.lookup),
    hashAndLookup: summary(prepared.whole),
    unknownTokenUs: Math.round(missUs * 100) / 100,
    openMs: Math.round(prepared.openMs),
    loadMs: Math.round(prepared.loadMs),
    fileMb: Math.round(statSync(prepared.path).size / 1e5) / 10,
  }
}

/** Both sizes loaded, open and warmed alike, then measured in pairs (A B, B A, A B, …). */
async function measureBoth(): Promise<[SizeResult, SizeResult]> {
  const prepared: Prepared[] = []
  try {
    prepared.push(await prepare(1_000))
    prepared.push(await prepare(1_000_000))
    const [small, large] = prepared as [Prepared, Prepared]
    // Warm-up, the same on each: every kept token once, then as many random lookups as are timed.
    for (const each of prepared)
      for (const token of [...everyKeptOnce(each), ...picks(each, SAMPLES)])
        await each.store.getToken(sha256(token))
    for (const what of ['lookup', 'whole'] as const) {
      const fromSmall = picks(small, SAMPLES)
      const fromLarge = picks(large, SAMPLES)
      for (let i = 0; i < SAMPLES; i++) {
        const pair: [Prepared, string][] = [
          [small, fromSmall[i] ?? ''],
          [large, fromLarge[i] ?? ''],
        ]
        if (i % 2 === 1) pair.reverse()
        for (const [each, token] of pair) await sample(each, [token], what)
      }
    }
    return [await result(small), await result(large)]
  } finally {
    for (const each of prepared) {
      await each.store.close()
      rmSync(each.folder, { recursive: true, force: true })
    }
  }
}

const started = performance.now()
const [small, large] = await measureBoth()
const ratio = (metric: 'getToken' | 'hashAndLookup', p: keyof Percentiles): number =>
  Math.round((large[metric][p] / small[metric][p]) * 100) / 100

console.log(
  JSON.stringify({
    bench: 'sqlite-scale',
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version },
    '1k': small,
    '1m': large,
    ratio1mTo1k: {
      getTokenP50: ratio('getToken', 'p50Us'),
      getTokenP99: ratio('getToken', 'p99Us'),
      hashAndLookupP50: ratio('hashAndLookup', 'p50Us'),
      hashAndLookupP99: ratio('hashAndLookup', 'p99Us'),
    },
    totalMs: Math.round(performance.now() - started),
  }),
)
