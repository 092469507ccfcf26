import {
  authorizationCode,
  callTool,
  field,
  type RegisteredClient,
  redeemCode,
  refreshTokens,
  type TokenAnswer,
} from '../browser/oauth-steps.js'
import type { Rig } from './rig.js'

/** How long any one answer may take while faults are injected, ms. */
export const ANSWER_DEADLINE_MS = 8_000

/** What a request came to: an answer, or nothing (the connection died with the process). */
export type Outcome =
  | { readonly answer: TokenAnswer; readonly ms: number }
  | { readonly lost: true; readonly ms: number }

/** How long a test waits for any answer at all before it calls the request hung, ms. */
export const HANG_MS = 3 * ANSWER_DEADLINE_MS

/**
 * Sends one token request and times it; a connection that breaks is a lost response. A request
 * with no answer after `HANG_MS` is reported as hung (never as lost), so a hang fails the test
 * instead of stalling it.
 */
export async function attempt(request: () => Promise<TokenAnswer>): Promise<Outcome> {
  const started = Date.now()
  let timer: NodeJS.Timeout | undefined
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), HANG_MS)
  })
  try {
    const answer = await Promise.race([request(), hung])
    if (answer === 'hung') throw new Error(`no answer within ${HANG_MS} ms: the request hung`)
    // The load balancer answers 502 when the process died under the request.
    if (answer.status === 502) return { lost: true, ms: Date.now() - started }
    return { answer, ms: Date.now() - started }
  } catch (error) {
    if (error instanceof Error && error.message.includes('the request hung')) throw error
    return { lost: true, ms: Date.now() - started }
  } finally {
    clearTimeout(timer)
  }
}

/**
 * An MCP client's view of one signed-in user: the tokens it holds, and how it behaves after a
 * failure, as a real client does: keep the tokens it has and try again.
 */
export class ClientSession {
  readonly #rig: Rig
  readonly #client: RegisteredClient
  accessToken = ''
  refreshToken = ''

  private constructor(rig: Rig, client: RegisteredClient) {
    this.#rig = rig
    this.#client = client
  }

  /** Signs in through the server (consent approved at the stand-in) and redeems the code. */
  static async signIn(rig: Rig): Promise<ClientSession> {
    const session = new ClientSession(rig, await rig.client())
    const answer = await session.redeem(await session.login())
    session.keep(answer)
    return session
  }

  /** A fresh authorization code for this client. */
  login(): Promise<{ code: string; verifier: string }> {
    return authorizationCode(this.#rig.router.url, this.#client, this.#rig.mcpUrl)
  }

  redeem(login: { code: string; verifier: string }): Promise<TokenAnswer> {
    return redeemCode(this.#rig.router.url, this.#client, this.#rig.mcpUrl, login)
  }

  refresh(): Promise<TokenAnswer> {
    return refreshTokens(this.#rig.router.url, this.#client, this.#rig.mcpUrl, this.refreshToken)
  }

  /** Takes the tokens of a 200 answer; throws on anything else, naming it. */
  keep(answer: TokenAnswer): void {
    if (answer.status !== 200)
      throw new Error(`token request answered ${answer.status}: ${JSON.stringify(answer.body)}`)
    this.accessToken = field(answer.body, 'access_token')
    this.refreshToken = field(answer.body, 'refresh_token')
  }

  /** Calls a tool with the access token held; resolves to the HTTP status. */
  async call(): Promise<number> {
    return (await callTool(this.#rig.router.url, this.accessToken, 'whoami')).status
  }
}
