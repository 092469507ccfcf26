import assert from 'node:assert/strict'
import { setTimeout as delay } from 'node:timers/promises'
import { ANSWER_DEADLINE_MS, attempt, ClientSession, type Outcome } from '@mxcp/testing/faults/client-session'
import type { Rig } from '@mxcp/testing/faults/rig'

/**
 * Kill cycles per store: each kills `mxcp serve` under a code exchange and a refresh at once. A
 * restart costs about 5 s of CPU, so CI runs 3 per store; `MXCP_FAULT_CYCLES=20` runs more.
 */
export const KILL_CYCLES = Number(process.env['MXCP_FAULT_CYCLES'] ?? 3)
/** The kill lands at a random moment in this window after both requests were sent, ms. */
const KILL_WINDOW_MS = 60

/**
 * One cycle: a code exchange (a second client session signing in) and a refresh race a SIGKILL.
 * After the restart each client retries whatever got no answer with what it holds, as a real
 * client does. Nothing may be lost: every retry succeeds and both sessions can call a tool.
 */
export async function killCycle(
  rig: Rig,
  session: ClientSession,
): Promise<{ lostResponses: number; lostAfterCommit: number }> {
  const newcomer = await ClientSession.signIn(rig)
  const login = await newcomer.login()
  const server = rig.server
  const issuedBefore = tokensIssued(server.logLines())
  const inFlight: [Promise<Outcome>, Promise<Outcome>] = [
    attempt(() => newcomer.redeem(login)),
    attempt(() => session.refresh()),
  ]
  await delay(Math.random() * KILL_WINDOW_MS)
  await server.kill()
  const [exchange, rotation] = await Promise.all(inFlight)
  // Grants the killed process committed (and had time to log) whose answer never arrived.
  const answered = [exchange, rotation].filter((outcome) => 'answer' in outcome).length
  const lostAfterCommit = Math.max(0, tokensIssued(server.logLines()) - issuedBefore - answered)
  await rig.restart()
  let lostResponses = 0
  for (const [outcome, client, retry] of [
    [exchange, newcomer, () => newcomer.redeem(login)],
    [rotation, session, () => session.refresh()],
  ] as const) {
    if ('answer' in outcome) {
      client.keep(outcome.answer)
      continue
    }
    lostResponses++
    const again = await attempt(retry)
    assert.ok('answer' in again, 'the restarted server answers the retry')
    assert.ok(again.ms < ANSWER_DEADLINE_MS, `the retry was answered in ${again.ms} ms`)
    client.keep(again.answer)
  }
  assert.equal(await session.call(), 200, 'the refreshing session still works')
  assert.equal(await newcomer.call(), 200, 'the session whose code exchange was killed works')
  // The client keeps what each refresh gives it, as a real client does.
  const next = await attempt(() => session.refresh())
  assert.ok('answer' in next && next.ms < ANSWER_DEADLINE_MS, 'the next refresh is answered in time')
  session.keep(next.answer)
  return { lostResponses, lostAfterCommit }
}

function tokensIssued(lines: readonly Record<string, unknown>[]): number {
  return lines.filter((line) => line['msg'] === 'tokens issued').length
}

/** Runs `KILL_CYCLES` kill cycles on one signed-in session; resolves to the responses lost and retried. */
export async function killCycles(rig: Rig, label: string): Promise<number> {
  const session = await ClientSession.signIn(rig)
  let lost = 0
  let afterCommit = 0
  for (let cycle = 0; cycle < KILL_CYCLES; cycle++) {
    const outcome = await killCycle(rig, session)
    lost += outcome.lostResponses
    afterCommit += outcome.lostAfterCommit
  }
  assert.equal(await session.call(), 200)
  process.stdout.write(
    `# ${label}: ${KILL_CYCLES} kills, ${lost} responses lost and retried ` +
      `(${afterCommit} of them after the grant had committed), 0 sessions lost\n`,
  )
  return lost
}

/**
 * The exact case the grace window exists for: the grant committed, then the process died before
 * its answer left. The load balancer holds the answer back, kills the server, and answers 502; the
 * client retries with what it holds after the restart and must get working tokens.
 */
export async function killAfterCommit(rig: Rig): Promise<void> {
  const session = await ClientSession.signIn(rig)
  const newcomer = await ClientSession.signIn(rig)
  const login = await newcomer.login()
  for (const [grant, retry] of [
    ['refresh', () => session.refresh()],
    ['code exchange', () => newcomer.redeem(login)],
  ] as const) {
    const server = rig.server
    rig.router.intercept = async (method, path, status) => {
      if (method !== 'POST' || path !== '/token' || status !== 200) return 'pass'
      rig.router.intercept = async () => 'pass'
      await server.kill()
      return 'drop'
    }
    const lost = await attempt(retry)
    assert.ok(!('answer' in lost), `the ${grant} answer was lost after its commit`)
    await rig.restart()
    const again = await attempt(retry)
    assert.ok('answer' in again && again.answer.status === 200, `the ${grant} retry gets working tokens`)
    ;(grant === 'refresh' ? session : newcomer).keep(again.answer)
  }
  assert.equal(await session.call(), 200)
  assert.equal(await newcomer.call(), 200)
  session.keep(await session.refresh())
  assert.equal(await session.call(), 200, 'and the next refresh works')
}
