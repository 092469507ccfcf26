import type {
  ClientRecord,
  CodeRecord,
  SealedBox,
  SessionRecord,
  TokenRecord,
  TransactionRecord,
  UpstreamTokens,
} from '@mxcp/auth-core'
import type { clients, codes, sessions, tokens, transactions } from './schema.js'

/**
 * Records of auth-core ↔ rows of `schema.ts`. Optional fields come back as explicit `undefined`
 * (not absent), the shape auth-core builds them in. The associated data of every sealed value
 * names its table and row, so a ciphertext copied into another row fails to open.
 */

type ClientRow = typeof clients.$inferSelect
type TransactionRow = typeof transactions.$inferSelect
type CodeRow = typeof codes.$inferSelect
type TokenRow = typeof tokens.$inferSelect
type SessionRow = typeof sessions.$inferSelect

export function clientToRow(client: ClientRecord): ClientRow {
  return {
    clientId: client.clientId,
    clientSecretHash: client.clientSecretHash ?? null,
    clientName: client.clientName,
    redirectUris: [...client.redirectUris],
    grantTypes: [...client.grantTypes],
    responseTypes: [...client.responseTypes],
    scopes: [...client.scopes],
    tokenEndpointAuthMethod: client.tokenEndpointAuthMethod,
    issuedAt: client.issuedAt,
    secretExpiresAt: client.secretExpiresAt,
    metadata: { ...client.metadata },
  }
}

export function rowToClient(row: ClientRow): ClientRecord {
  return { ...row, clientSecretHash: row.clientSecretHash ?? undefined }
}

export function transactionToRow(transaction: TransactionRecord, box: SealedBox): TransactionRow {
  return {
    id: transaction.id,
    clientId: transaction.clientId,
    redirectUri: transaction.redirectUri,
    codeChallenge: transaction.codeChallenge,
    scopes: [...transaction.scopes],
    resource: transaction.resource,
    clientState: transaction.clientState ?? null,
    upstreamCodeVerifierSealed: box.seal(transaction.upstreamCodeVerifier, transactionData(transaction.id)),
    browserBindingHash: transaction.browserBindingHash,
    createdAt: transaction.createdAt,
    expiresAt: transaction.expiresAt,
  }
}

export function rowToTransaction(row: TransactionRow, box: SealedBox): TransactionRecord {
  const { upstreamCodeVerifierSealed, clientState, ...plain } = row
  return {
    ...plain,
    clientState: clientState ?? undefined,
    upstreamCodeVerifier: box.open(upstreamCodeVerifierSealed, transactionData(row.id)),
  }
}

export function codeToRow(code: CodeRecord): CodeRow {
  return { ...code, scopes: [...code.scopes], consumed: false }
}

export function rowToCode(row: CodeRow): CodeRecord {
  const { consumed: _consumed, ...code } = row
  return code
}

export function tokenToRow(token: TokenRecord): TokenRow {
  return { ...token, scopes: [...token.scopes] }
}

export function rowToToken(row: TokenRow): TokenRecord {
  return row
}

export function sessionToRow(session: SessionRecord, box: SealedBox): SessionRow {
  return {
    sessionId: session.sessionId,
    provider: session.provider,
    user: session.user,
    upstreamSealed: sealUpstream(session.upstream, session.sessionId, box),
    userFetchedAt: session.userFetchedAt,
    createdAt: session.createdAt,
    expiresAt: session.expiresAt,
  }
}

export function rowToSession(row: SessionRow, box: SealedBox): SessionRecord {
  const { upstreamSealed, ...plain } = row
  return { ...plain, upstream: openUpstream(upstreamSealed, row.sessionId, box) }
}

/** Seals a session's upstream tokens as JSON. */
export function sealUpstream(upstream: UpstreamTokens, sessionId: string, box: SealedBox): Buffer {
  return box.seal(JSON.stringify(upstream), sessionData(sessionId))
}

function openUpstream(sealed: Uint8Array, sessionId: string, box: SealedBox): UpstreamTokens {
  const parsed: unknown = JSON.parse(box.open(sealed, sessionData(sessionId)))
  if (!isUpstreamTokens(parsed))
    throw new Error('The sealed upstream tokens of a session have an unexpected shape')
  return parsed
}

/** Narrows the decrypted JSON: authenticated by GCM, but still checked before it is trusted. */
function isUpstreamTokens(value: unknown): value is UpstreamTokens {
  if (typeof value !== 'object' || value === null || !('accessToken' in value)) return false
  if (typeof value.accessToken !== 'string') return false
  const optional: Record<string, string> = {
    refreshToken: 'string',
    expiresAt: 'number',
    idToken: 'string',
    scope: 'string',
    extra: 'object',
  }
  return Object.entries(optional).every(([key, type]) => {
    const field: unknown = Reflect.get(value, key)
    return field === undefined || typeof field === type
  })
}

const transactionData = (id: string): string => `transactions:${id}:upstream_code_verifier`
const sessionData = (sessionId: string): string => `sessions:${sessionId}:upstream`
