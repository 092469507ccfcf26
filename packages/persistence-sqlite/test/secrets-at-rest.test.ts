import assert from 'node:assert/strict'
import { statSync } from 'node:fs'
import { test } from 'node:test'
import { randomToken, sha256 } from '@mxcp/auth-core/store-kit'
import {
  clientRecord,
  codeRecord,
  sessionRecord,
  T0,
  tokenRecord,
  transactionRecord,
} from '@mxcp/auth-core/testing'
import { openSqliteStore } from '../src/index.js'
import { databaseFiles, findSecrets } from './helpers/scan-bytes.js'
import { tempDatabasePath } from './helpers/temp-database.js'

test('after a whole flow through the store, no secret it was given appears in the database, -wal or -shm', async () => {
  const path = tempDatabasePath()
  const secrets = {
    clientSecret: randomToken('mxcp_cs_'),
    upstreamCodeVerifier: randomToken(),
    code: randomToken('mxcp_code_'),
    accessToken: randomToken('mxcp_at_'),
    refreshToken: randomToken('mxcp_rt_'),
    upstreamAccessToken: 'gho_' + randomToken(),
    upstreamRefreshToken: 'ghr_' + randomToken(),
    upstreamIdToken: 'eyJhbGciOiJSUzI1NiJ9.' + randomToken() + '.' + randomToken(),
    refreshedUpstreamAccessToken: 'gho_' + randomToken(),
  }
  const store = await openSqliteStore({ path, encryptionKey: 'test-key' })
  const client = clientRecord({ clientSecretHash: sha256(secrets.clientSecret) })
  const transaction = transactionRecord({
    clientId: client.clientId,
    upstreamCodeVerifier: secrets.upstreamCodeVerifier,
  })
  const session = sessionRecord({
    upstream: {
      accessToken: secrets.upstreamAccessToken,
      refreshToken: secrets.upstreamRefreshToken,
      idToken: secrets.upstreamIdToken,
      expiresAt: T0 + 3_600_000,
    },
  })
  const code = codeRecord({
    codeHash: sha256(secrets.code),
    clientId: client.clientId,
    sessionId: session.sessionId,
  })
  const access = tokenRecord({ tokenHash: sha256(secrets.accessToken), sessionId: session.sessionId })
  const refresh = tokenRecord({
    tokenHash: sha256(secrets.refreshToken),
    kind: 'refresh',
    sessionId: session.sessionId,
  })

  await store.saveClient(client)
  await store.saveTransaction(transaction)
  assert.ok(await store.consumeTransaction(transaction.id, T0))
  await store.saveSession(session)
  await store.saveCode(code)
  assert.equal((await store.exchangeCode(code.codeHash, T0, 0, () => [])).outcome, 'consumed')
  await store.saveTokens([access, refresh])
  await store.updateSession(session.sessionId, {
    upstream: { ...session.upstream, accessToken: secrets.refreshedUpstreamAccessToken },
  })
  assert.equal(
    (await store.getSession(session.sessionId))?.upstream.accessToken,
    secrets.refreshedUpstreamAccessToken,
  )

  const files = databaseFiles(path)
  assert.ok(statSync(`${path}-wal`).size > 0, 'the WAL holds the recent writes while the store is open')
  assert.deepEqual(findSecrets(files, secrets), [], 'while open (WAL not yet checkpointed)')
  await store.close()
  assert.deepEqual(findSecrets(files, secrets), [], 'after close (checkpointed into the database)')
})

test('a session profile (name, email, raw profile, attributes) is sealed at rest, also after an update; reading it back gives it whole', async () => {
  const path = tempDatabasePath()
  const profile = {
    email: `${randomToken()}@example.com`,
    name: `Name ${randomToken()}`,
    claim: `claim-${randomToken()}`,
    attribute: `https://${randomToken().toLowerCase()}.my.salesforce.com`,
  }
  const store = await openSqliteStore({ path, encryptionKey: 'test-key' })
  const user = {
    userId: '1',
    username: 'octocat',
    email: profile.email,
    name: profile.name,
    attributes: { instance_url: profile.attribute },
    rawProfile: { custom: profile.claim },
  }
  const session = sessionRecord({ user })
  await store.saveSession(session)
  assert.deepEqual((await store.getSession(session.sessionId))?.user, user)
  const updated = { ...user, email: `${randomToken()}@example.com` }
  await store.updateSession(session.sessionId, { user: updated })
  assert.deepEqual((await store.getSession(session.sessionId))?.user, updated)
  const files = databaseFiles(path)
  assert.deepEqual(findSecrets(files, { ...profile, updatedEmail: updated.email }), [], 'while open')
  await store.close()
  assert.deepEqual(findSecrets(files, { ...profile, updatedEmail: updated.email }), [], 'after close')
})

test('the byte scan does find a secret stored in clear (the scan itself works)', async () => {
  const path = tempDatabasePath()
  const secret = randomToken('mxcp_at_')
  const store = await openSqliteStore({ path, encryptionKey: 'test-key' })
  // A session's username is stored in clear (the profile is sealed), so a secret put there must be found.
  await store.saveSession(sessionRecord({ user: { userId: '1', username: secret, rawProfile: {} } }))
  const found = findSecrets(databaseFiles(path), { secret })
  await store.close()
  assert.ok(
    found.some((line) => line.endsWith('secret (utf8)')),
    found.join('\n'),
  )
})
