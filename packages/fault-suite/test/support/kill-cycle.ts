import assert from 'node:assert/strict'
import { setTimeout as delay } from 'node:timers/promises'
import { ANSWER_DEADLINE_MS, attempt, ClientSession, type Outcome } from '@mxcp/testing/faults/client-session'
import type { Rig } from '@mxcp/testing/faults/rig'

/**
 * Kill cycles per store: each kills `mxcp serve` under a code exchange and a refresh at once. A
 * restart costs about 5 s of CPU, so CI runs 4 per store; `MXCP_FAULT_CYCLES=20` runs more.
 */
export const KILL_CYCLES = Number(process.env['MXCP_FAULT_CYCLES'] ?? 4)
/** The kill lands at a random moment in this window after both requests were sent, ms. */
const KILL_WINDOW_MS = 30

/**
 * One cycle: a code exchange (a second client session signing in) and a refresh race a SIGKILL.
 * After the restart each client retries whatever got no answer with what it holds, as a real
 * client does. Nothing may be lost: every retry succeeds and both sessions can call a tool.
 */
export async function killCycle(rig: Rig, session: ClientSession): Promise<{ lostResponses: number }> {
  const newcomer = await ClientSession.signIn(rig)
  const login = await newcomer.login()
  const inFlight: [Promise<Outcome>, Promise<Outcome>] = [
    attempt(() => newcomer.redeem(login)),
    attempt(() => session.refresh()),
  ]
  await delay(Math.random() * KILL_WINDOW_MS)
  await rig.server.kill()
  const [exchange, rotation] = await Promise.all(inFlight)
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
  assert.equal((await attempt(() => session.refresh())).ms < ANSWER_DEADLINE_MS, true)
  return { lostResponses }
}

/** Runs `KILL_CYCLES` kill cycles on one signed-in session; resolves to the responses lost and retried. */
export async function killCycles(rig: Rig, label: string): Promise<number> {
  const session = await ClientSession.signIn(rig)
  let lost = 0
  for (let cycle = 0; cycle < KILL_CYCLES; cycle++) lost += (await killCycle(rig, session)).lostResponses
  assert.equal(await session.call(), 200)
  process.stdout.write(
    `# ${label}: ${KILL_CYCLES} kills, ${lost} responses lost and retried, 0 sessions lost\n`,
  )
  return lost
}
