import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { sessionRecord, transactionRecord } from '@mxcp/auth-core/testing'
import Database from 'better-sqlite3'
import { legacyKeyFilePath, openSqliteStore, SqliteStoreOpenError } from '../src/index.js'
import { modeOf, octal } from './helpers/files.js'
import { RecordingLogger } from './helpers/recording-logger.js'
import { generatedKeyFile, tempDatabasePath } from './helpers/temp-database.js'

const MISMATCH = /the encryption key does not match the one this database was created with/i

async function assertOpenFails(promise: Promise<unknown>, path: string, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof SqliteStoreOpenError, String(error))
    assert.ok(error.message.includes(path), error.message)
    assert.match(error.message, pattern)
    return true
  })
}

test('a wrong key fails at start-up with a clear message, and the sealed data stays readable with the right one', async () => {
  const path = tempDatabasePath()
  const session = sessionRecord()
  const first = await openSqliteStore({ path, encryptionKey: 'the-right-key' })
  await first.saveSession(session)
  await first.close()
  const before = readFileSync(path)

  await assertOpenFails(openSqliteStore({ path, encryptionKey: 'a-wrong-key' }), path, MISMATCH)
  assert.deepEqual(readFileSync(path), before, 'a failed start-up writes nothing')

  const again = await openSqliteStore({ path, encryptionKey: 'the-right-key' })
  const reopened = await again.getSession(session.sessionId).finally(() => again.close())
  assert.deepEqual(reopened, session)
})

test('without a key, one is generated in its own 0700 folder, never beside the database (0600), one warning is logged, and the next start reuses it', async () => {
  const path = tempDatabasePath()
  const logger = new RecordingLogger()
  const session = sessionRecord()
  const first = await openSqliteStore({ path, logger })
  await first.saveSession(session)
  await first.close()

  const keyFile = generatedKeyFile(path)
  const key = readFileSync(keyFile, 'utf8').trim()
  assert.equal(octal(modeOf(keyFile)), '600')
  assert.equal(octal(modeOf(dirname(keyFile))), '700')
  assert.equal(dirname(keyFile), join(homedir(), '.mxcp', 'keys'))
  assert.deepEqual(
    readdirSync(dirname(path)).filter((name) => name.endsWith('.key')),
    [],
    'no key beside the database',
  )
  assert.equal(Buffer.from(key, 'base64url').length, 32, 'a 256-bit random key')
  assert.equal(logger.warnings.length, 1, 'exactly one warning')
  assert.match(logger.warnings[0]?.msg ?? '', /encryption_key is not set/)
  assert.ok(!logger.text().includes(key), 'the key itself is never logged')

  const second = await openSqliteStore({ path, logger })
  try {
    assert.deepEqual(await second.getSession(session.sessionId), session)
    assert.equal(readFileSync(keyFile, 'utf8').trim(), key, 'the key file is not regenerated')
  } finally {
    await second.close()
  }
})

test('with a configured key, no key file is written and nothing is logged as a warning', async () => {
  const path = tempDatabasePath()
  const logger = new RecordingLogger()
  const store = await openSqliteStore({ path, encryptionKey: 'managed-key', logger })
  await store.close()
  assert.throws(() => readFileSync(generatedKeyFile(path)), { code: 'ENOENT' })
  assert.equal(logger.warnings.length, 0)
  assert.ok(!logger.text().includes('managed-key'))
})

test('a database bound to a generated key refuses a configured key; one bound to a configured key needs it back', async () => {
  const generated = tempDatabasePath()
  await (await openSqliteStore({ path: generated })).close()
  await assertOpenFails(
    openSqliteStore({ path: generated, encryptionKey: 'managed-key' }),
    generated,
    MISMATCH,
  )

  const configured = tempDatabasePath()
  await (await openSqliteStore({ path: configured, encryptionKey: 'managed-key' })).close()
  await assertOpenFails(openSqliteStore({ path: configured }), configured, /key file .* is missing/)
})

test('a database whose key file was lost refuses to start instead of generating a new key', async () => {
  const path = tempDatabasePath()
  await (await openSqliteStore({ path })).close()
  rmSync(generatedKeyFile(path))
  await assertOpenFails(openSqliteStore({ path }), path, /key file .* is missing/)
  assert.throws(
    () => readFileSync(generatedKeyFile(path)),
    { code: 'ENOENT' },
    'no replacement key was written',
  )
})

test('a malformed key file stops start-up with a message naming it', async () => {
  const path = tempDatabasePath()
  mkdirSync(dirname(generatedKeyFile(path)), { recursive: true })
  writeFileSync(generatedKeyFile(path), 'short\n', { mode: 0o600 })
  await assert.rejects(openSqliteStore({ path }), (error: unknown) => {
    assert.ok(error instanceof Error)
    assert.ok(error.message.includes(generatedKeyFile(path)), error.message)
    assert.match(error.message, /malformed/)
    return true
  })
})

test('an altered sealed value is refused at read time, never returned as garbage', async () => {
  const path = tempDatabasePath()
  const session = sessionRecord()
  const store = await openSqliteStore({ path, encryptionKey: 'test-key' })
  try {
    await store.saveSession(session)
    const raw = new Database(path)
    const row = raw.prepare('SELECT upstream_sealed AS sealed FROM sessions').get() as { sealed: Buffer }
    row.sealed[row.sealed.length - 1] = (row.sealed[row.sealed.length - 1] ?? 0) ^ 0x01
    raw.prepare('UPDATE sessions SET upstream_sealed = ?').run(row.sealed)
    raw.close()
    await assert.rejects(store.getSession(session.sessionId), /does not authenticate/)
  } finally {
    await store.close()
  }
})

test('a sealed value copied into another row does not open there', async () => {
  const path = tempDatabasePath()
  const victim = sessionRecord()
  const attacker = sessionRecord()
  const store = await openSqliteStore({ path, encryptionKey: 'test-key' })
  try {
    await store.saveSession(victim)
    await store.saveSession(attacker)
    const raw = new Database(path)
    raw
      .prepare(
        'UPDATE sessions SET upstream_sealed = (SELECT upstream_sealed FROM sessions WHERE session_id = ?) WHERE session_id = ?',
      )
      .run(victim.sessionId, attacker.sessionId)
    raw.close()
    await assert.rejects(store.getSession(attacker.sessionId), /does not authenticate/)
    assert.deepEqual(await store.getSession(victim.sessionId), victim)
  } finally {
    await store.close()
  }
})

test('the upstream code verifier of a transaction is sealed and comes back intact', async () => {
  const path = tempDatabasePath()
  const transaction = transactionRecord()
  const store = await openSqliteStore({ path, encryptionKey: 'test-key' })
  try {
    await store.saveTransaction(transaction)
    const raw = new Database(path, { readonly: true })
    const row = raw.prepare('SELECT upstream_code_verifier_sealed AS sealed FROM transactions').get() as {
      sealed: Buffer
    }
    raw.close()
    assert.ok(!row.sealed.includes(transaction.upstreamCodeVerifier))
    assert.deepEqual(await store.consumeTransaction(transaction.id, transaction.createdAt), transaction)
  } finally {
    await store.close()
  }
})

test('an empty encryption key (an unset variable interpolated to "") is refused', async () => {
  await assert.rejects(openSqliteStore({ path: tempDatabasePath(), encryptionKey: '' }), /encryptionKey/)
})

test('a key file an earlier release left beside the database is moved to its own folder once, with a log line, and still opens the data', async () => {
  const path = tempDatabasePath()
  const session = sessionRecord()
  const first = await openSqliteStore({ path })
  await first.saveSession(session)
  await first.close()
  // Put the database back as an earlier release left it: the key beside it.
  const key = readFileSync(generatedKeyFile(path), 'utf8')
  writeFileSync(legacyKeyFilePath(path), key, { mode: 0o600 })
  rmSync(generatedKeyFile(path))

  const logger = new RecordingLogger()
  const store = await openSqliteStore({ path, logger })
  try {
    assert.deepEqual(await store.getSession(session.sessionId), session)
    assert.equal(existsSync(legacyKeyFilePath(path)), false, 'the old key file is gone')
    assert.equal(readFileSync(generatedKeyFile(path), 'utf8'), key, 'the same key, in its new place')
    assert.equal(octal(modeOf(generatedKeyFile(path))), '600')
    assert.ok(logger.text().includes('moved the OAuth encryption key file'), logger.text())
    assert.ok(!logger.text().includes(key.trim()), 'the key itself is never logged')
  } finally {
    await store.close()
  }
  const again = new RecordingLogger()
  await (await openSqliteStore({ path, logger: again })).close()
  assert.ok(!again.text().includes('moved'), 'the move is said once')
})

test('a configured key_file location is used instead of the default folder', async () => {
  const path = tempDatabasePath()
  const keyFile = join(dirname(path), 'keys', 'mine.key')
  await (await openSqliteStore({ path, keyFile })).close()
  assert.equal(octal(modeOf(keyFile)), '600')
  assert.equal(existsSync(generatedKeyFile(path)), false)
})

test('an old key beside the database that differs from the one in the key folder stops start-up, touching neither', async () => {
  const path = tempDatabasePath()
  await (await openSqliteStore({ path })).close()
  const current = readFileSync(generatedKeyFile(path), 'utf8')
  const other = `${Buffer.alloc(32, 7).toString('base64url')}\n`
  writeFileSync(legacyKeyFilePath(path), other, { mode: 0o600 })
  await assert.rejects(openSqliteStore({ path }), /Two different OAuth encryption key files exist/)
  assert.equal(readFileSync(generatedKeyFile(path), 'utf8'), current)
  assert.equal(readFileSync(legacyKeyFilePath(path), 'utf8'), other)
})
