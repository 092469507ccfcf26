import assert from 'node:assert/strict'
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { codeRecord, T0, tokenRecord, transactionRecord } from '@mxcp/auth-core/testing'
import { openSqliteStore } from '../src/index.js'
import { tempDatabasePath } from './helpers/temp-database.js'

const KEY = 'test-key'
const ROUNDS = 4
const ITEMS_PER_ROUND = 100
const NEW_DATABASE_ATTEMPTS = 5
const WORKER = fileURLToPath(new URL('./helpers/redeem-worker.ts', import.meta.url))

interface Outcome {
  won: { codes: string[]; refreshTokens: string[]; transactions: string[] }
  lost: string[]
}

/** A separate Node.js process with its own connection to the file (test/helpers/redeem-worker.ts). */
class Worker {
  readonly #child: ChildProcessWithoutNullStreams
  readonly #pending: { resolve(line: string): void; reject(error: Error): void }[] = []
  #stderr = ''

  constructor() {
    this.#child = spawn(process.execPath, ['--conditions=@mxcp/source', '--import', 'tsx', WORKER], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    })
    this.#child.stderr.on('data', (chunk: Buffer) => {
      this.#stderr += chunk.toString()
    })
    createInterface({ input: this.#child.stdout }).on('line', (line) => this.#pending.shift()?.resolve(line))
    this.#child.on('exit', (code) => {
      for (const waiter of this.#pending.splice(0))
        waiter.reject(new Error(`worker exited ${code}: ${this.#stderr}`))
    })
  }

  /** The next line the worker prints. */
  next(): Promise<string> {
    return new Promise((resolve, reject) => this.#pending.push({ resolve, reject }))
  }

  /** Sends one command; resolves with its parsed reply. */
  request(command: object): Promise<unknown> {
    const reply = this.next()
    this.#child.stdin.write(JSON.stringify(command) + '\n')
    return reply.then((line) => JSON.parse(line) as unknown)
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return
    const exited = once(this.#child, 'exit')
    this.#child.stdin.write('\n')
    await exited
  }
}

/** Sends `command` to every worker in the same tick, so they act at the same moment. */
function all(workers: readonly Worker[], command: object): Promise<unknown[]> {
  return Promise.all(workers.map((worker) => worker.request(command)))
}

const workers: Worker[] = []

before(async () => {
  workers.push(new Worker(), new Worker())
  assert.deepEqual(await Promise.all(workers.map((worker) => worker.next())), ['loaded', 'loaded'])
})

after(async () => {
  await Promise.all(workers.map((worker) => worker.stop()))
})

test('two processes using the same codes, refresh tokens and transactions at once: each is won exactly once', async () => {
  const path = tempDatabasePath()
  const store = await openSqliteStore({ path, encryptionKey: KEY })
  assert.deepEqual(await all(workers, { op: 'open', path, key: KEY }), [{ ok: true }, { ok: true }])
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const codes = Array.from({ length: ITEMS_PER_ROUND }, () => codeRecord())
      const refreshTokens = Array.from({ length: ITEMS_PER_ROUND }, () => tokenRecord({ kind: 'refresh' }))
      const transactions = Array.from({ length: ITEMS_PER_ROUND }, () => transactionRecord())
      for (const code of codes) await store.saveCode(code)
      await store.saveTokens(refreshTokens)
      for (const transaction of transactions) await store.saveTransaction(transaction)

      // Both start on the same items in the same order at the same moment.
      const [a, b] = (await all(workers, {
        op: 'use',
        codes: codes.map((code) => code.codeHash),
        refreshTokens: refreshTokens.map((token) => token.tokenHash),
        transactions: transactions.map((transaction) => transaction.id),
        now: T0,
      })) as Outcome[]
      assert.ok(a && b)
      for (const kind of ['codes', 'refreshTokens', 'transactions'] as const) {
        const both: string[] = a.won[kind].filter((item) => b.won[kind].includes(item))
        assert.deepEqual(both, [], `round ${round}: no ${kind} item is won by both processes`)
        assert.equal(
          a.won[kind].length + b.won[kind].length,
          ITEMS_PER_ROUND,
          `round ${round}: each ${kind} item is won once`,
        )
      }
      // The loser sees what a lone process would see on a second use: a replay, a reuse, nothing.
      const lost = [...a.lost, ...b.lost]
      assert.equal(lost.filter((outcome) => outcome === 'code:replayed').length, ITEMS_PER_ROUND)
      assert.equal(lost.filter((outcome) => outcome === 'refresh:reused').length, ITEMS_PER_ROUND)
      assert.equal(lost.filter((outcome) => outcome === 'transaction:none').length, ITEMS_PER_ROUND)
    }
  } finally {
    await all(workers, { op: 'close' })
    await store.close()
  }
})

test('two processes creating one new database at the same moment both migrate it and agree on one generated key', async () => {
  for (let attempt = 0; attempt < NEW_DATABASE_ATTEMPTS; attempt++) {
    const path = tempDatabasePath()
    assert.deepEqual(
      await all(workers, { op: 'open', path }),
      [{ ok: true }, { ok: true }],
      `attempt ${attempt}`,
    )
    assert.deepEqual(await all(workers, { op: 'close' }), [{ ok: true }, { ok: true }])
    // A third opener with the key file both used: had they generated different keys, one would
    // have been refused above with the key-mismatch error.
    await (await openSqliteStore({ path })).close()
  }
})
