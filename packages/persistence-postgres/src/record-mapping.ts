import type {
  ClientRecord,
  CodeRecord,
  SealedBox,
  SessionRecord,
  TokenRecord,
  TransactionRecord,
} from '@mxcp/auth-core'
import { isJsonObject, isUpstreamTokens, isUpstreamUser, parseStoredJson } from './json-guards.js'
import type { Tables } from './schema/define-tables.js'

/**
 * Records of `@mxcp/auth-core` to table rows and back. Secret fields are sealed on the way in and
 * opened on the way out; each sealed value is bound to its table and row as associated data.
 */

type ClientRow = Tables['clients']['$inferSelect']
type TransactionRow = Tables['transactions']['$inferSelect']
type CodeRow = Tables['codes']['$inferSelect']
type TokenRow = Tables['tokens']['$inferSelect']
type SessionRow = Tables['sessions']['$inferSelect']

const SHA256_HEX = /^[0-9a-f]{64}$/

/**
 * Refuses to store what does not look like a SHA-256 hex digest where the records promise one:
 * a caller handing a raw token or code by mistake must fail loudly, not store it in clear.
 * The message names the field only, never its value.
 */
export function assertDigest(value: string | undefined, field: string): void {
  if (value !== undefined && !SHA256_HEX.test(value)) {
    throw new Error(`PostgreSQL store: ${field} must be a SHA-256 hex digest, never the secret itself`)
  }
}

/** Associated data of each sealed value: its table, row and column, as the SQLite store names them. */
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
    // Always present, possibly undefined, as the record type declares it.
    clientSecretHash: row.clientSecretHash ?? undefined,
    clientName: row.clientName,
    redirectUris: row.redirectUris,
    grantTypes: row.grantTypes,
    responseTypes: row.responseTypes,
    scopes: row.scopes,
    tokenEndpointAuthMethod: row.tokenEndpointAuthMethod,
    issuedAt: row.issuedAt,
    secretExpiresAt: row.secretExpiresAt,
    metadata: parseStoredJson(row.metadataJson, isJsonObject, 'clients.metadata_json'),
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
  }
}

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
    user: parseStoredJson(row.userJson, isUpstreamUser, 'sessions.user_json'),
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
