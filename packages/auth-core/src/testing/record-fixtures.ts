import { randomUUID } from 'node:crypto'
import { randomToken, sha256 } from '../crypto.js'
import type {
  ClientRecord,
  CodeRecord,
  SessionRecord,
  TokenRecord,
  TransactionRecord,
} from '../store/records.js'

/** Record builders for store tests. `now` is epoch ms. */
export const T0 = Date.UTC(2026, 0, 1)
const MINUTE = 60_000

export function clientRecord(overrides: Partial<ClientRecord> = {}): ClientRecord {
  return {
    clientId: randomUUID(),
    clientSecretHash: sha256('secret-' + randomUUID()),
    clientName: 'Contract Client',
    redirectUris: ['http://127.0.0.1:8999/callback'],
    grantTypes: ['authorization_code', 'refresh_token'],
    responseTypes: ['code'],
    scopes: ['mxcp:access'],
    tokenEndpointAuthMethod: 'client_secret_post',
    issuedAt: T0,
    secretExpiresAt: 0,
    metadata: { client_name: 'Contract Client', redirect_uris: ['http://127.0.0.1:8999/callback'] },
    ...overrides,
  }
}

export function transactionRecord(overrides: Partial<TransactionRecord> = {}): TransactionRecord {
  return {
    id: sha256(randomToken()),
    clientId: 'client-1',
    redirectUri: 'http://127.0.0.1:8999/callback',
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    scopes: ['mxcp:access'],
    resource: 'http://localhost:8000/mcp',
    clientState: 'client-state',
    upstreamCodeVerifier: randomToken(),
    browserBindingHash: sha256(randomToken()),
    createdAt: T0,
    expiresAt: T0 + 10 * MINUTE,
    ...overrides,
  }
}

export function codeRecord(overrides: Partial<CodeRecord> = {}): CodeRecord {
  return {
    codeHash: sha256(randomToken()),
    clientId: 'client-1',
    redirectUri: 'http://127.0.0.1:8999/callback',
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    scopes: ['mxcp:access'],
    resource: 'http://localhost:8000/mcp',
    sessionId: 'session-1',
    familyId: randomUUID(),
    createdAt: T0,
    expiresAt: T0 + MINUTE,
    ...overrides,
  }
}

export function tokenRecord(overrides: Partial<TokenRecord> = {}): TokenRecord {
  return {
    tokenHash: sha256(randomToken()),
    kind: 'access',
    clientId: 'client-1',
    sessionId: 'session-1',
    familyId: 'family-1',
    scopes: ['mxcp:access'],
    resource: 'http://localhost:8000/mcp',
    createdAt: T0,
    expiresAt: T0 + 60 * MINUTE,
    revoked: false,
    consumed: false,
    ...overrides,
  }
}

export function sessionRecord(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    sessionId: randomUUID(),
    provider: 'github',
    user: {
      userId: '42',
      username: 'octocat',
      email: 'octocat@example.com',
      name: 'Mona Lisa Octocat',
      rawProfile: { login: 'octocat', id: 42 },
    },
    upstream: {
      accessToken: 'gho_upstream_' + randomToken(),
      refreshToken: 'ghr_' + randomToken(),
      expiresAt: T0 + 8 * 60 * MINUTE,
    },
    userFetchedAt: T0,
    createdAt: T0,
    expiresAt: T0 + 30 * 24 * 60 * MINUTE,
    ...overrides,
  }
}
