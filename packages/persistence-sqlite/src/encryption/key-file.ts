import { createHash, randomBytes } from 'node:crypto'
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { isErrnoException, PRIVATE_FILE_MODE, tightenFile } from '../files/private-files.js'

/** A generated key: 32 random bytes, base64url (43 characters), alone on one line. */
const KEY_FILE_CONTENT = /^[A-Za-z0-9_-]{43}\n?$/

/** Where releases before 0.2 kept the generated key: beside the database, `oauth.db.key`. */
export function legacyKeyFilePath(databasePath: string): string {
  return `${databasePath}.key`
}

/**
 * Where the generated key of a database lives: in a 0700 folder of its own, `~/.mxcp/keys/`,
 * never beside the database (whoever can read the database folder, or a process told to read
 * "the database and what is next to it", must not get the key with it). One file per database,
 * named after its file and a hash of its absolute path.
 */
export function defaultKeyFilePath(databasePath: string, homeDir: string = homedir()): string {
  const absolute = resolve(databasePath)
  const tag = createHash('sha256').update(absolute).digest('hex').slice(0, 16)
  return join(homeDir, '.mxcp', 'keys', `${basename(absolute)}-${tag}.key`)
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
