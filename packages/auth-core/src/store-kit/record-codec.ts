import type {
  ClientRecord,
  CodeRecord,
  SessionPatch,
  SessionRecord,
  TokenRecord,
  TransactionRecord,
} from '../store/records.js'
import type { SealedBox } from '../store/sealed-box.js'
import { isJsonObject, isUpstreamTokens, isUpstreamUser, parseStoredJson } from './json-guards.js'
import type {
  ClientRow,
  CodeRow,
  SessionRow,
  SessionRowPatch,
  TokenRow,
  TransactionRow,
} from './stored-rows.js'

/**
 * Records of auth-core ↔ rows of a SQL store (`stored-rows.ts`). Secret fields are sealed on the way
 * in and opened on the way out; the associated data of each sealed value names its table, row and
 * column, so a ciphertext copied into another row fails to open. Optional fields come back as
 * explicit `undefined` where the record declares them so, and absent where absent means "never set".
 */

const SHA256_HEX = /^[0-9a-f]{64}$/

/**
 * Refuses what does not look like a SHA-256 hex digest where the records promise one: a caller
 * handing a raw token or code by mistake fails loudly instead of storing it in clear. The message
 * names the field only, never its value.
 */
export function assertDigest(value: string | undefined, field: string): void {
  if (value !== undefined && !SHA256_HEX.test(value))
    throw new Error(`OAuth store: ${field} must be a SHA-256 hex digest, never the secret itself`)
}

const sessionData = (sessionId: string): string => `sessions:${sessionId}:upstream`
const transactionData = (id: string): string => `transactions:${id}:upstream_code_verifier`

export function clientToRow(client: ClientRecord): ClientRow {
  assertDigest(client.clientSecretHash, 'clientSecretHash')
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
    metadataJson: JSON.stringify(client.metadata),
  }
}

export function rowToClient(row: ClientRow): ClientRecord {
  return {
    clientId: row.clientId,
    clientSecretHash: row.clientSecretHash ?? undefined,
    clientName: row.clientName,
    redirectUris: row.redirectUris,
    grantTypes: row.grantTypes,
    responseTypes: row.responseTypes,
    scopes: row.scopes,
    tokenEndpointAuthMethod: row.tokenEndpointAuthMethod,
    issuedAt: row.issuedAt,
    secretExpiresAt: row.secretExpiresAt,
    metadata: parseStoredJson(row.metadataJson, isJsonObject, 'clients.metadata'),
  }
}

export function transactionToRow(transaction: TransactionRecord, box: SealedBox): TransactionRow {
  assertDigest(transaction.id, 'transaction id')
  assertDigest(transaction.browserBindingHash, 'browserBindingHash')
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
  return {
    id: row.id,
    clientId: row.clientId,
    redirectUri: row.redirectUri,
    codeChallenge: row.codeChallenge,
    scopes: row.scopes,
    resource: row.resource,
    clientState: row.clientState ?? undefined,
    upstreamCodeVerifier: box.open(row.upstreamCodeVerifierSealed, transactionData(row.id)),
    browserBindingHash: row.browserBindingHash,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
  }
}

export function codeToRow(code: CodeRecord): CodeRow {
  assertDigest(code.codeHash, 'codeHash')
  return {
    codeHash: code.codeHash,
    clientId: code.clientId,
    redirectUri: code.redirectUri,
    codeChallenge: code.codeChallenge,
    scopes: [...code.scopes],
    resource: code.resource,
    sessionId: code.sessionId,
    familyId: code.familyId,
    createdAt: code.createdAt,
    expiresAt: code.expiresAt,
    consumed: false,
    consumedAt: null,
  }
}

export function rowToCode(row: CodeRow): CodeRecord {
  return {
    codeHash: row.codeHash,
    clientId: row.clientId,
    redirectUri: row.redirectUri,
    codeChallenge: row.codeChallenge,
    scopes: row.scopes,
    resource: row.resource,
    sessionId: row.sessionId,
    familyId: row.familyId,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
  }
}

export function tokenToRow(token: TokenRecord): TokenRow {
  assertDigest(token.tokenHash, 'tokenHash')
  assertDigest(token.successorHash, 'successorHash')
  return {
    tokenHash: token.tokenHash,
    kind: token.kind,
    clientId: token.clientId,
    sessionId: token.sessionId,
    familyId: token.familyId,
    scopes: [...token.scopes],
    resource: token.resource,
    createdAt: token.createdAt,
    expiresAt: token.expiresAt,
    revoked: token.revoked,
    consumed: token.consumed,
    rotatedAt: token.rotatedAt ?? null,
    successorHash: token.successorHash ?? null,
  }
}

export function rowToToken(row: TokenRow): TokenRecord {
  return {
    tokenHash: row.tokenHash,
    kind: row.kind,
    clientId: row.clientId,
    sessionId: row.sessionId,
    familyId: row.familyId,
    scopes: row.scopes,
    resource: row.resource,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    revoked: row.revoked,
    consumed: row.consumed,
    ...(row.rotatedAt === null ? {} : { rotatedAt: row.rotatedAt }),
    ...(row.successorHash === null ? {} : { successorHash: row.successorHash }),
  }
}

/** Seals a session's upstream tokens as JSON, bound to the session. */
export function sealUpstream(sessionId: string, upstream: SessionRecord['upstream'], box: SealedBox): Buffer {
  return box.seal(JSON.stringify(upstream), sessionData(sessionId))
}

export function sessionToRow(session: SessionRecord, box: SealedBox): SessionRow {
  return {
    sessionId: session.sessionId,
    provider: session.provider,
    userJson: JSON.stringify(session.user),
    upstreamSealed: sealUpstream(session.sessionId, session.upstream, box),
    userFetchedAt: session.userFetchedAt,
    createdAt: session.createdAt,
    expiresAt: session.expiresAt,
  }
}

export function rowToSession(row: SessionRow, box: SealedBox): SessionRecord {
  return {
    sessionId: row.sessionId,
    provider: row.provider,
    user: parseStoredJson(row.userJson, isUpstreamUser, 'sessions.user'),
    upstream: parseStoredJson(
      box.open(row.upstreamSealed, sessionData(row.sessionId)),
      isUpstreamTokens,
      'sessions.upstream_sealed',
    ),
    userFetchedAt: row.userFetchedAt,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
  }
}

/** The columns a session patch changes; empty when it changes nothing. */
export function sessionPatchToRow(sessionId: string, patch: SessionPatch, box: SealedBox): SessionRowPatch {
  const set: SessionRowPatch = {}
  if (patch.user !== undefined) set.userJson = JSON.stringify(patch.user)
  if (patch.upstream !== undefined) set.upstreamSealed = sealUpstream(sessionId, patch.upstream, box)
  if (patch.userFetchedAt !== undefined) set.userFetchedAt = patch.userFetchedAt
  return set
}
