/**
 * Soak (not a test): 60 short PostgreSQL blips under refresh load from four clients against a real
 * `mxcp serve`, as issue 22 measured it (80 to 99 sessions ended before the fix). Each blip cuts
 * the database for a random 100–1500 ms through a TCP proxy of ours; between blips the load runs
 * for 500 ms. At the end every client must still refresh and call a tool.
 *
 *   MXCP_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test pnpm --filter @mxcp/bench soak:blips
 *
 * Prints sessions lost (must be 0), the slowest answer, and the answers by status; exits 1 if a
 * session was lost.
 */
import { setTimeout as delay } from 'node:timers/promises'
import { attempt, ClientSession } from '@mxcp/testing/faults/client-session'
import { createDatabase, Rig } from '@mxcp/testing/faults/rig'
import { startTcpProxy } from '@mxcp/testing/network/tcp-proxy'
import pg from 'pg'

const BLIPS = Number(process.env['MXCP_SOAK_BLIPS'] ?? 60)
const CLIENTS = 4
const DATABASE_URL = process.env['MXCP_BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'

process.env['MXCP_TEST_DATABASE_URL'] = DATABASE_URL
const database = await createDatabase(pg)
const target = new URL(DATABASE_URL)
const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432))
const rig = await Rig.start({ persistence: { type: 'postgres', url: proxy.via(database.url) } })
const statuses = new Map<string, number>()
let slowestMs = 0
let lostSessions = 0
try {
  const sessions: ClientSession[] = []
  for (let i = 0; i < CLIENTS; i++) sessions.push(await ClientSession.signIn(rig))
  let running = true
  const load = Promise.all(
    sessions.map(async (session) => {
      while (running) {
        const rotation = await attempt(() => session.refresh())
        slowestMs = Math.max(slowestMs, rotation.ms)
        const status = 'answer' in rotation ? String(rotation.answer.status) : 'no answer'
        statuses.set(status, (statuses.get(status) ?? 0) + 1)
        // A client keeps what it holds unless it got new tokens (a 503 changes nothing).
        if ('answer' in rotation && rotation.answer.status === 200) session.keep(rotation.answer)
        await delay(10)
      }
    }),
  )
  for (let blip = 0; blip < BLIPS; blip++) {
    await delay(500)
    proxy.cut('down')
    await delay(100 + Math.random() * 1_400)
    proxy.restore()
  }
  await delay(2_000)
  running = false
  await load
  for (const session of sessions) {
    const rotation = await attempt(() => session.refresh())
    if (!('answer' in rotation) || rotation.answer.status !== 200) {
      lostSessions++
      continue
    }
    session.keep(rotation.answer)
    if ((await session.call()) !== 200) lostSessions++
  }
} finally {
  await rig.close()
  await proxy.close()
  await database.drop()
}
const byStatus = [...statuses].map(([status, count]) => `${status}: ${count}`).join(', ')
process.stdout.write(
  `${BLIPS} PostgreSQL blips under refresh load from ${CLIENTS} clients\n` +
    `sessions lost: ${lostSessions}\nslowest answer: ${slowestMs} ms\nrefresh answers: ${byStatus}\n`,
)
process.exit(lostSessions === 0 ? 0 : 1)
