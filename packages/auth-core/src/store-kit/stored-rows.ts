import type { TokenEndpointAuthMethod, TokenKind } from '../store/records.js'

/**
 * The rows of a SQL store, as its query builder reads and writes them. A store's table definitions
 * produce exactly these property names and types (SQLite and PostgreSQL alike), so one codec
 * (`record-codec.ts`) serves every SQL store and the stores differ only in their SQL.
 *
 * Times are epoch milliseconds; structured values are JSON text; secrets are SHA-256 hex or
 * AES-256-GCM ciphertext (`*Sealed`), never clear text.
 */

export interface ClientRow {
  clientId: string
  clientSecretHash: string | null
  clientName: string
  redirectUris: string[]
  grantTypes: string[]
  responseTypes: string[]
  scopes: string[]
  tokenEndpointAuthMethod: TokenEndpointAuthMethod
  issuedAt: number
  secretExpiresAt: number
  metadataJson: string
}

export interface TransactionRow {
  id: string
  clientId: string
  redirectUri: string
  codeChallenge: string
  scopes: string[]
  resource: string
  clientState: string | null
  upstreamCodeVerifierSealed: Buffer
  browserBindingHash: string
  createdAt: number
  expiresAt: number
}

export interface CodeRow {
  codeHash: string
  clientId: string
  redirectUri: string
  codeChallenge: string
  scopes: string[]
  resource: string
  sessionId: string
  familyId: string
  createdAt: number
  expiresAt: number
  consumed: boolean
  /** When the code was exchanged (the grace window for a lost response). */
  consumedAt: number | null
}

export interface TokenRow {
  tokenHash: string
  kind: TokenKind
  clientId: string
  sessionId: string
  familyId: string
  scopes: string[]
  resource: string
  createdAt: number
  expiresAt: number
  revoked: boolean
  consumed: boolean
  rotatedAt: number | null
  successorHash: string | null
}

export interface SessionRow {
  sessionId: string
  provider: string
  userJson: string
  upstreamSealed: Buffer
  userFetchedAt: number
  createdAt: number
  expiresAt: number
}

/** The columns an `updateSession` patch changes. */
export type SessionRowPatch = Partial<Pick<SessionRow, 'userJson' | 'upstreamSealed' | 'userFetchedAt'>>
