import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { processRssBytes } from '../harness/process-usage.js'
import type { LoadTarget } from '../load/load-plan.js'
import { round } from '../load/measure-pair.js'
import { runLoadPlan } from '../load/run-load-plan.js'
import { seedSessions } from '../sessions/seed-sessions.js'
import { BENCH_ENCRYPTION_KEY, startMxcpServer } from '../targets/mxcp-server.js'

/** Figure 5e: the memory of a server process that holds many live sessions. */
export interface LiveSessionsResults {
  /** Sessions that made their request (all of them, unless the time cap stopped the load). */
  readonly sessions: number
  /** Sessions written into the store. */
  readonly seeded: number
  /** RSS after warm-up with one session in use, MB. */
  readonly rssOneSessionMb: number
  /** RSS once every session has made a request (each user context cached by the guard), MB. */
  readonly rssAllSessionsMb: number
  /** rssAllSessions / rssOneSession. */
  readonly ratio: number
  /** (rssAllSessions − rssOneSession) / sessions, bytes. */
  readonly bytesPerSession: number
  readonly seedSeconds: number
  readonly loadSeconds: number
}

const MB = 1024 * 1024
/**
 * The server's external URL (`base_url`), so the audience of the tokens minted before it starts.
 * Nothing listens there: requests go to the port it is given.
 */
const BASE_URL = 'http://127.0.0.1:9'
/** Where no provider listens: serving these sessions must never call it (they are fresh). */
const NO_PROVIDER = {
  url: 'http://127.0.0.1:9',
  apiUrl: 'http://127.0.0.1:9',
  clientId: 'bench',
  clientSecret: 'bench',
}

/**
 * `count` users logged in (sessions and access tokens written into the SQLite store before the
 * server starts), then one request from each, with its own token: `GET /mcp`, which the guard
 * checks (token, session, user context into the cache) before the stateless endpoint answers
 * 405. The server's resident memory is read before and after. The load stops early, between
 * runs of 10 000, after `maxLoadSeconds`: the figure then covers the sessions served.
 */
export async function runLiveSessions(
  count: number,
  connections: number,
  maxLoadSeconds: number,
): Promise<LiveSessionsResults> {
  const dir = mkdtempSync(join(tmpdir(), 'mxcp-bench-sessions-'))
  try {
    const seeding = performance.now()
    const bearers = await seedSessions({
      path: join(dir, 'oauth.db'),
      encryptionKey: BENCH_ENCRYPTION_KEY,
      count,
      resource: `${BASE_URL}/mcp`,
    })
    const seedSeconds = (performance.now() - seeding) / 1000
    const tokensFile = join(dir, 'tokens.txt')
    writeFileSync(tokensFile, bearers.join('\n'))
    const warmupFile = join(dir, 'warmup-token.txt')
    writeFileSync(warmupFile, bearers[0] ?? '')
    const server = await startMxcpServer({
      label: 'mxcp-live-sessions',
      auth: 'github-sqlite',
      github: NO_PROVIDER,
      oauthDbPath: join(dir, 'oauth.db'),
      baseUrl: BASE_URL,
    })
    try {
      const target = (key: string, file: string): LoadTarget => ({
        key,
        url: server.mcpUrl,
        method: 'GET',
        headers: { accept: 'application/json, text/event-stream' },
        tokensFile: file,
        expectedStatus: 405,
        pid: server.process.pid,
      })
      await runLoadPlan({
        connections,
        targets: [target('one-session', warmupFile)],
        steps: [{ target: 'one-session', seconds: 2, record: true }],
      })
      await sleep(500)
      const before = processRssBytes(server.process.pid)
      const report = await runLoadPlan({
        connections,
        targets: [target('all-sessions', tokensFile)],
        steps: [{ target: 'all-sessions', amount: count, maxSeconds: maxLoadSeconds, record: true }],
      })
      await sleep(500)
      const after = processRssBytes(server.process.pid)
      const step = report.steps[0]
      if (before === undefined || after === undefined || step === undefined) {
        throw new Error('the resident memory of the server could not be read (/proc)')
      }
      return {
        sessions: step.ok,
        seeded: count,
        rssOneSessionMb: round(before / MB, 1),
        rssAllSessionsMb: round(after / MB, 1),
        ratio: round(after / before, 2),
        bytesPerSession: Math.round((after - before) / step.ok),
        seedSeconds: round(seedSeconds, 1),
        loadSeconds: round(step.seconds, 1),
      }
    } finally {
      await server.stop()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
