import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import { callTool } from '@mxcp/testing/browser/oauth-steps'
import { ANSWER_DEADLINE_MS, attempt, ClientSession, HANG_MS } from '@mxcp/testing/faults/client-session'
import { createDatabase, DATABASE_URL, Rig } from '@mxcp/testing/faults/rig'
import { startTcpProxy, type TcpProxy } from '@mxcp/testing/network/tcp-proxy'
import pg from 'pg'
import { KILL_CYCLES, killAfterCommit, killCycles } from './support/kill-cycle.js'

/** Four clients refreshing and calling tools in a loop, as the load had it. */
const CLIENTS = 4

interface LoadReport {
  answers: number
  slowestMs: number
  /** Statuses other than 200 and 503 (a 500, a 400 that ended a session, …). */
  unexpected: string[]
  unavailableWithoutRetryAfter: number
}

/**
 * Runs refresh + tool-call load until `stop` resolves. A client keeps the tokens it holds when an
 * answer is 503 and tries again, as a real client does.
 */
async function load(rig: Rig, sessions: ClientSession[], stop: Promise<void>): Promise<LoadReport> {
  const report: LoadReport = { answers: 0, slowestMs: 0, unexpected: [], unavailableWithoutRetryAfter: 0 }
  let stopped = false
  void stop.then(() => {
    stopped = true
  })
  await Promise.all(
    sessions.map(async (session) => {
      while (!stopped) {
        const rotation = await attempt(() => session.refresh())
        report.slowestMs = Math.max(report.slowestMs, rotation.ms)
        report.answers++
        if (!('answer' in rotation)) report.unexpected.push('refresh: no answer')
        else if (rotation.answer.status === 200) session.keep(rotation.answer)
        else if (rotation.answer.status !== 503)
          report.unexpected.push(`refresh ${rotation.answer.status} ${JSON.stringify(rotation.answer.body)}`)
        const started = Date.now()
        const call = await fetch(`${rig.router.url}/mcp`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${session.accessToken}`,
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
          },
          signal: AbortSignal.timeout(HANG_MS),
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: 1,
            method: 'tools/call',
            params: { name: 'whoami', arguments: {} },
          }),
        })
        await call.text()
        report.slowestMs = Math.max(report.slowestMs, Date.now() - started)
        report.answers++
        if (call.status === 503 && !call.headers.get('retry-after')) report.unavailableWithoutRetryAfter++
        if (call.status !== 200 && call.status !== 503) report.unexpected.push(`call ${call.status}`)
        await delay(20)
      }
    }),
  )
  return report
}

describe('mxcp serve on PostgreSQL: the database cut and blackholed, SIGKILL', () => {
  let rig: Rig
  let proxy: TcpProxy
  let database: { url: string; drop(): Promise<void> }
  let sessions: ClientSession[]

  before(async () => {
    database = await createDatabase(pg)
    const target = new URL(DATABASE_URL)
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432))
    rig = await Rig.start({ persistence: { type: 'postgres', url: proxy.via(database.url) } })
    sessions = []
    for (let i = 0; i < CLIENTS; i++) sessions.push(await ClientSession.signIn(rig))
  })
  after(async () => {
    await rig.close()
    await proxy.close()
    await database.drop()
  })

  for (const [mode, outageMs] of [
    ['down', 1_500],
    // Longer than the 5 s query timeout, so requests meet silent connections, not only refusals.
    ['blackhole', 6_000],
  ] as const) {
    test(`the database ${mode === 'down' ? 'cut' : 'blackholed'} for ${outageMs} ms: every request answered in time (200 or 503 + Retry-After), no session lost, recovery without restart`, async () => {
      const running = load(
        rig,
        sessions,
        (async () => {
          await delay(300)
          proxy.cut(mode)
          await delay(outageMs)
          proxy.restore()
          await delay(1_500)
        })(),
      )
      const report = await running
      assert.deepEqual(report.unexpected, [], 'only 200 and 503 were answered')
      assert.equal(report.unavailableWithoutRetryAfter, 0, 'every 503 carries Retry-After')
      assert.ok(report.slowestMs < ANSWER_DEADLINE_MS, `slowest answer ${report.slowestMs} ms`)
      for (const session of sessions) {
        const rotation = await attempt(() => session.refresh())
        assert.ok('answer' in rotation && rotation.answer.status === 200, 'the session survived')
        session.keep(rotation.answer)
        assert.equal((await callTool(rig.router.url, session.accessToken, 'whoami')).status, 200)
      }
      process.stdout.write(
        `# database ${mode}: ${report.answers} answers, slowest ${report.slowestMs} ms, 0 sessions lost\n`,
      )
    })
  }

  test('killed after a refresh and a code exchange committed, before their answers left: the retries get working tokens', () =>
    killAfterCommit(rig))

  test(`${KILL_CYCLES} kill -9 cycles under a code exchange and a refresh: no session is lost`, async () => {
    assert.ok((await killCycles(rig, 'postgres')) > 0, 'the kills landed under requests')
  })
})
