import assert from 'node:assert/strict'
import { test } from 'node:test'
import { signingSecretFrom } from '../src/index.js'

test('replicas sharing an encryption key derive one signing secret, independent of the key', () => {
  const key = 'k'.repeat(40)
  const secret = signingSecretFrom(key)
  assert.equal(secret.length, 32)
  assert.deepEqual(signingSecretFrom(key), secret)
  assert.notDeepEqual(signingSecretFrom(`${key}x`), secret)
  assert.ok(!secret.toString('utf8').includes(key.slice(0, 8)))
  assert.throws(() => signingSecretFrom(''), /empty/)
})
