import { existsSync, readFileSync } from 'node:fs'

/** The database file and its WAL companions. */
export function databaseFiles(path: string): string[] {
  return [path, `${path}-wal`, `${path}-shm`]
}

/**
 * Every byte form a secret could take if it were stored in clear: its UTF-8 text, that text in
 * hex (lower and upper case) and base64, and, for a base64url token, the raw bytes it encodes.
 */
function forms(secret: string): { form: string; bytes: Buffer }[] {
  const text = Buffer.from(secret, 'utf8')
  const all = [
    { form: 'utf8', bytes: text },
    { form: 'utf16le', bytes: Buffer.from(secret, 'utf16le') },
    { form: 'hex', bytes: Buffer.from(text.toString('hex')) },
    { form: 'HEX', bytes: Buffer.from(text.toString('hex').toUpperCase()) },
    { form: 'base64', bytes: Buffer.from(text.toString('base64').replace(/=+$/, '')) },
  ]
  const body = secret.replace(/^[a-z]+_[a-z]*_?/, '')
  if (/^[A-Za-z0-9_-]{22,}$/.test(body)) {
    all.push({ form: 'decoded base64url', bytes: Buffer.from(body, 'base64url') })
  }
  return all
}

/**
 * Where any of `secrets` appears in any of `files` (missing files are skipped), as
 * "file: label (form)" lines; empty when nothing is found.
 */
export function findSecrets(files: readonly string[], secrets: Readonly<Record<string, string>>): string[] {
  const found: string[] = []
  for (const file of files) {
    if (!existsSync(file)) continue
    const content = readFileSync(file)
    for (const [label, secret] of Object.entries(secrets)) {
      for (const { form, bytes } of forms(secret)) {
        if (content.includes(bytes)) found.push(`${file}: ${label} (${form})`)
      }
    }
  }
  return found
}
