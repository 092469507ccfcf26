/**
 * `write-then-wait-script.ts <db>`: opens the store and makes the writes of one whole login the
 * way the server does (registration and lease, consent claim, transaction, session, code, the
 * code exchanged for tokens with the lease renewed in flight inside the exchange, as the token
 * route does), then one more sign-in step after the last
 * write that waits for the disk; prints `written` and waits to be killed.
 */
import { createHash } from 'node:crypto'
import { openSqliteStore } from '../../src/index.js'
import type { SqliteStore } from '../../src/sqlite-store.js'

const [path] = process.argv.slice(2)
if (path === undefined) throw new Error('usage: write-then-wait-script.ts <database>')
const hash = (value: string): string => createHash('sha256').update(value).digest('hex')
// The package's own store: its single-use records are a public member of the class.
const store = (await openSqliteStore({ path, encryptionKey: 'test-key' })) as SqliteStore
const now = Date.now()
const HOUR = 3_600_000
const client = {
  clientId: 'killed-client',
  clientName: 'Killed',
  redirectUris: ['http://127.0.0.1/callback'],
  grantTypes: ['authorization_code', 'refresh_token'],
  responseTypes: ['code'],
  scopes: ['mxcp:access'],
  tokenEndpointAuthMethod: 'none' as const,
  issuedAt: now,
  secretExpiresAt: 0,
  metadata: {},
}
await store.saveClient(client)
await store.singleUse.setClaimExpiry('client-lease', client.clientId, now + HOUR)
await store.singleUse.claimOnce('consent-form', hash('form'), now + HOUR, now)
const transaction = (id: string) => ({
  id: hash(id),
  clientId: client.clientId,
  redirectUri: client.redirectUris[0] ?? '',
  codeChallenge: 'challenge',
  scopes: ['mxcp:access'],
  resource: 'http://127.0.0.1/mcp',
  upstreamCodeVerifier: 'upstream-verifier',
  browserBindingHash: hash('cookie'),
  createdAt: now,
  expiresAt: now + HOUR,
})
await store.saveTransaction(transaction('state-1'))
await store.consumeTransaction(hash('state-1'), now)
await store.saveSession({
  sessionId: 'killed-session',
  provider: 'github',
  user: { userId: '1', username: 'octocat', rawProfile: { login: 'octocat' } },
  upstream: { accessToken: 'gho_upstream' },
  userFetchedAt: now,
  createdAt: now,
  expiresAt: now + HOUR,
})
await store.saveCode({
  codeHash: hash('code'),
  clientId: client.clientId,
  redirectUri: client.redirectUris[0] ?? '',
  codeChallenge: 'challenge',
  scopes: ['mxcp:access'],
  resource: 'http://127.0.0.1/mcp',
  sessionId: 'killed-session',
  familyId: 'killed-family',
  createdAt: now,
  expiresAt: now + HOUR,
})
let renewal: Promise<void> | undefined
const exchanged = await store.exchangeCode(hash('code'), now, 0, () => {
  renewal = store.singleUse.setClaimExpiry('client-lease', client.clientId, now + 2 * HOUR, {
    inFlight: true,
  })
  return [
    {
      tokenHash: hash('access-token'),
      kind: 'access',
      clientId: client.clientId,
      sessionId: 'killed-session',
      familyId: 'killed-family',
      scopes: ['mxcp:access'],
      resource: 'http://127.0.0.1/mcp',
      createdAt: now,
      expiresAt: now + HOUR,
      revoked: false,
      consumed: false,
    },
  ]
})
if (exchanged.outcome !== 'consumed') throw new Error(`the code was ${exchanged.outcome}`)
await renewal
// After the last write that waited for the disk: the next login's first step.
await store.saveTransaction(transaction('state-2'))
console.log('written')
setInterval(() => {}, 1_000)
