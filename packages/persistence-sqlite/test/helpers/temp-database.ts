import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after } from 'node:test'

// Generated keys go under ~/.mxcp/keys: give the tests a home of their own, never the real one.
const home = mkdtempSync(join(tmpdir(), 'mxcp-sqlite-home-'))
process.env['HOME'] = home
after(() => rmSync(home, { recursive: true, force: true }))

/** A fresh folder under the OS temp dir, removed when the test file ends. */
export function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'mxcp-sqlite-'))
  after(() => rmSync(folder, { recursive: true, force: true }))
  return folder
}

/** A database path in a fresh folder (the file itself does not exist yet). */
export function tempDatabasePath(name = 'oauth.db'): string {
  return join(tempFolder(), name)
}

/** Where the store keeps the generated key of `path` in these tests. */
export { defaultKeyFilePath as generatedKeyFile } from '../../src/index.js'
