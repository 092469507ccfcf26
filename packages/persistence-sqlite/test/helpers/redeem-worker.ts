/**
 * One of several processes sharing a database file, driven by JSON lines on stdin (one reply
 * line each on stdout). It prints `loaded` first, so the parent can start many workers and then
 * make them act within the same millisecond:
 * - `{"op":"open","path":…,"key":…}` opens the store (`key` optional) → `{"ok":true}` or `{"error":…}`
 * - `{"op":"use","codes":[…],"refreshTokens":[…],"transactions":[…],"now":…}` tries every item in
 *   order → `{"won":{…},"lost":[…]}`
 * - `{"op":"close"}` → `{"ok":true}`; an empty line exits.
 */
import { createInterface } from 'node:readline'
import type { OAuthStore } from '@mxcp/auth-core'
import { openSqliteStore } from '../../src/index.js'

interface Command {
  op: 'open' | 'use' | 'close'
  path?: string
  key?: string
  codes?: string[]
  refreshTokens?: string[]
  transactions?: string[]
  now?: number
}

let store: OAuthStore | undefined

async function use(command: Command, current: OAuthStore): Promise<object> {
  const won = { codes: [] as string[], refreshTokens: [] as string[], transactions: [] as string[] }
  const lost: string[] = []
  const now = command.now ?? 0
  const codes = command.codes ?? []
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i] ?? ''
    const result = await current.exchangeCode(code, now, 0, () => [])
    if (result.outcome === 'consumed') won.codes.push(code)
    else lost.push(`code:${result.outcome}`)
    const refresh = command.refreshTokens?.[i] ?? ''
    const rotation = await current.rotateRefresh(refresh, now, 0, () => [])
    if (rotation.outcome === 'rotated') won.refreshTokens.push(refresh)
    else lost.push(`refresh:${rotation.outcome}`)
    const id = command.transactions?.[i] ?? ''
    if (await current.consumeTransaction(id, now)) won.transactions.push(id)
    else lost.push('transaction:none')
  }
  return { won, lost }
}

async function run(command: Command): Promise<object> {
  if (command.op === 'open') {
    store = await openSqliteStore({
      path: command.path ?? '',
      ...(command.key === undefined ? {} : { encryptionKey: command.key }),
    })
    return { ok: true }
  }
  if (store === undefined) throw new Error('no store is open')
  if (command.op === 'use') return use(command, store)
  await store.close()
  store = undefined
  return { ok: true }
}

process.stdout.write('loaded\n')
for await (const line of createInterface({ input: process.stdin })) {
  if (line === '') break
  const reply = await run(JSON.parse(line) as Command).catch((error: unknown) => ({ error: String(error) }))
  process.stdout.write(JSON.stringify(reply) + '\n')
}
await store?.close()
// Leaving the loop does not release stdin; without this the process would wait for its end.
process.stdin.destroy()
