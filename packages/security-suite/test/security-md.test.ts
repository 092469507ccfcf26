import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'

const TESTS = dirname(fileURLToPath(import.meta.url))
const SECURITY_MD = join(TESTS, '..', '..', '..', 'SECURITY.md')

/** `file.test.ts: name` of every test the suite's files declare. */
async function declaredTests(): Promise<Set<string>> {
  const found = new Set<string>()
  for (const file of (await readdir(TESTS)).filter((name) => name.endsWith('.test.ts'))) {
    const source = await readFile(join(TESTS, file), 'utf8')
    for (const match of source.matchAll(/\btest\(\s*(['"])((?:(?!\1).)+)\1/g))
      found.add(`${file}: ${match[2]}`)
  }
  return found
}

/** `file.test.ts: name` of every test SECURITY.md names in its rule tables. */
async function listedTests(): Promise<Set<string>> {
  const markdown = await readFile(SECURITY_MD, 'utf8')
  const listed = new Set<string>()
  for (const match of markdown.matchAll(/^\|.*\| `([\w-]+\.test\.ts)`: (.+?) *\|$/gm))
    listed.add(`${match[1]}: ${match[2]}`)
  return listed
}

/** SECURITY.md is the auditor's index of this suite: it must not drift from the tests. */
describe('SECURITY.md', () => {
  test('every rule in SECURITY.md names a test that exists', async () => {
    const declared = await declaredTests()
    const listed = await listedTests()
    assert.ok(listed.size >= 100, `only ${listed.size} rules were read from SECURITY.md`)
    const missing = [...listed].filter((name) => !declared.has(name))
    assert.deepEqual(missing, [])
  })

  test('every test of the suite is listed in SECURITY.md with its rule and source', async () => {
    const listed = await listedTests()
    const unlisted = [...(await declaredTests())].filter(
      (name) => !listed.has(name) && !name.startsWith('security-md.test.ts'),
    )
    assert.deepEqual(unlisted, [])
  })
})
