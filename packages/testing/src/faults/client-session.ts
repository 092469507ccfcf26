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

/** Sends one token request and times it; a connection that breaks is a lost response. */
export async function attempt(request: () => Promise<TokenAnswer>): Promise<Outcome> {
  const started = Date.now()
  try {
    const answer = await request()
    // The load balancer answers 502 when the process died under the request.
    if (answer.status === 502) return { lost: true, ms: Date.now() - started }
    return { answer, ms: Date.now() - started }
  } catch {
    return { lost: true, ms: Date.now() - started }
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
