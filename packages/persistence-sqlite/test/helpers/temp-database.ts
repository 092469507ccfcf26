import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after } from 'node:test'

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
