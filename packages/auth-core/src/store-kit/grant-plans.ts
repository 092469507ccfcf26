import type {
  CodeRecord,
  ConsumeCodeResult,
  IssueTokens,
  RotateRefreshResult,
  SessionRecord,
  TokenRecord,
} from '../store/records.js'
import { rowToCode } from './record-codec.js'
import { exchangeStep, refreshTokenOf, rotationStep } from './rotation-rules.js'
import type { CodeRow, TokenRow } from './stored-rows.js'

/** Columns of one token row a grant changes. */
export interface TokenWrite {
  readonly tokenHash: string
  readonly set: Partial<Pick<TokenRow, 'consumed' | 'rotatedAt' | 'successorHash'>>
}

/** Writes a store applies in its transaction, then `finish` with the tokens as `insert` saved them. */
interface Writes<Result> {
  readonly insert: readonly TokenRecord[]
  finish(saved: readonly TokenRecord[]): Result
}

export type RotationPlan =
  | { readonly done: RotateRefreshResult }
  | (Writes<RotateRefreshResult> & { readonly tokenWrites: readonly TokenWrite[] })

export type ExchangePlan =
  | { readonly done: ConsumeCodeResult }
  | (Writes<ConsumeCodeResult> & {
      readonly codeSet: Pick<CodeRow, 'consumed' | 'consumedAt'>
      /** A lost response: the family's first tokens, never delivered, are revoked. */
      readonly revokeFamily: string | undefined
    })

/**
 * What a refresh rotation writes, from the rows a store read under its lock (the token, its
 * successor, the session): the rules of `rotationStep`, `issue` asked for the new tokens. The
 * store applies `tokenWrites`, inserts `insert` and returns `finish(saved)`, all in one transaction.
 */
export function planRotation(
  read: {
    token: TokenRecord | undefined
    successor: TokenRecord | undefined
    session: SessionRecord | undefined
  },
  now: number,
  graceMs: number,
  issue: IssueTokens<TokenRecord>,
): RotationPlan {
  const step = rotationStep(read.token, read.successor, now, graceMs)
  if (step.kind === 'refuse') return { done: step.result }
  const minted = issue(step.token, read.session)
  if (minted === undefined) return { done: { outcome: 'declined', token: step.token } }
  const successorHash = refreshTokenOf(minted)?.tokenHash ?? null
  const { token } = step
  if (step.kind === 'grace') {
    return {
      tokenWrites: [
        // The successor the client never received is used up, without a window of its own; the
        // replayed token has no window left either (once only).
        {
          tokenHash: step.successor.tokenHash,
          set: { consumed: true, rotatedAt: null, successorHash: null },
        },
        { tokenHash: token.tokenHash, set: { successorHash, rotatedAt: null } },
      ],
      insert: minted,
      finish: (saved) => ({ outcome: 'grace', token, tokens: saved }),
    }
  }
  return {
    tokenWrites: [{ tokenHash: token.tokenHash, set: { consumed: true, rotatedAt: now, successorHash } }],
    insert: minted,
    finish: (saved) => ({ outcome: 'rotated', token, tokens: saved }),
  }
}

/**
 * What a code exchange writes, from the code row a store read under its lock, whether its family
 * was used, and the session: the rules of `exchangeStep`, `issue` asked for the tokens.
 */
export function planExchange(
  read: { row: CodeRow; familyUsed: boolean; session: SessionRecord | undefined },
  now: number,
  graceMs: number,
  issue: IssueTokens<CodeRecord>,
): ExchangePlan {
  const code = rowToCode(read.row)
  const step = exchangeStep(read.row, read.familyUsed, now, graceMs)
  if (step === 'replayed') return { done: { outcome: 'replayed', code } }
  if (step === 'expired') return { done: { outcome: 'expired' } }
  const minted = issue(code, read.session)
  const finish = (saved: readonly TokenRecord[]): ConsumeCodeResult => ({
    outcome: 'consumed',
    code,
    tokens: saved,
  })
  if (step === 'grace') {
    // Binding checks failed (no tokens): a replay after all.
    if (!minted?.length) return { done: { outcome: 'replayed', code } }
    return {
      codeSet: { consumed: true, consumedAt: null },
      revokeFamily: code.familyId,
      insert: minted,
      finish,
    }
  }
  if (minted === undefined) return { done: { outcome: 'declined', code } }
  return { codeSet: { consumed: true, consumedAt: now }, revokeFamily: undefined, insert: minted, finish }
}
