import { randomBytes } from 'node:crypto'
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { isErrnoException, PRIVATE_FILE_MODE, tightenFile } from '../files/private-files.js'

/** A generated key: 32 random bytes, base64url (43 characters), alone on one line. */
const KEY_FILE_CONTENT = /^[A-Za-z0-9_-]{43}\n?$/

/** The key file sits beside the database: `oauth.db` → `oauth.db.key`. */
export function keyFilePath(databasePath: string): string {
  return `${databasePath}.key`
}

/** Reads the generated key of `file`; undefined when there is no such file. Throws if it is malformed. */
export function readKeyFile(file: string): string | undefined {
  let content: string
  try {
    content = readFileSync(file, 'utf8')
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return undefined
    throw new Error(`Cannot read the OAuth encryption key file ${file}`, { cause: error })
  }
  tightenFile(file)
  if (!KEY_FILE_CONTENT.test(content)) {
    throw new Error(
      `The OAuth encryption key file ${file} is malformed (expected one base64url key of 32 bytes)`,
    )
  }
  return content.trim()
}

/**
 * Returns the key of `file`, generating it first (mode 0600) when there is none. The file is
 * written complete under a temporary name and then hard-linked into place: `link` fails when
 * the name exists, so two processes starting at once agree on one key and neither ever reads a
 * half-written file.
 */
export function readOrCreateKeyFile(file: string): { key: string; created: boolean } {
  const existing = readKeyFile(file)
  if (existing !== undefined) return { key: existing, created: false }
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  writeFileSync(temporary, randomBytes(32).toString('base64url') + '\n', {
    mode: PRIVATE_FILE_MODE,
    flag: 'wx',
  })
  let created = true
  try {
    linkSync(temporary, file)
  } catch (error) {
    // Another process linked its key first: use that one.
    if (!isErrnoException(error) || error.code !== 'EEXIST') throw error
    created = false
  } finally {
    unlinkSync(temporary)
  }
  const key = readKeyFile(file)
  if (key === undefined)
    throw new Error(`The OAuth encryption key file ${file} vanished while it was created`)
  return { key, created }
}
