import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'

const packageDir = new URL('../', import.meta.url)

/** The two lists in the README's `<!-- root-exports -->` block. */
function readmeList(): { values: string[]; types: string[] } {
  const readme = readFileSync(new URL('README.md', packageDir), 'utf8')
  const block = /<!-- root-exports -->\n```text\n([\s\S]*?)```/.exec(readme)?.[1]
  assert.ok(block, 'README.md has a root-exports block')
  const [values = '', types = ''] = block.split(/^types:/m)
  const words = (text: string) =>
    text
      .replace(/^values:/, '')
      .split(/\s+/)
      .filter(Boolean)
  return { values: words(values), types: words(types) }
}

/** Type-only names a module declares (for `export type * from`). */
function declaredTypes(moduleUrl: URL): string[] {
  const text = readFileSync(moduleUrl, 'utf8')
  return [...text.matchAll(/^export (?:interface|type) (\w+)/gm)].map((match) => match[1] ?? '')
}

/** Every type-only name `src/index.ts` exports, read from its export statements. */
function rootTypeNames(): string[] {
  const indexUrl = new URL('src/index.ts', packageDir)
  const text = readFileSync(indexUrl, 'utf8')
  const names: string[] = []
  for (const match of text.matchAll(/export type \{([^}]*)\} from/g))
    names.push(...(match[1] ?? '').split(',').map((name) => name.trim()))
  for (const match of text.matchAll(/export type \* from '([^']+)'/g))
    names.push(...declaredTypes(new URL((match[1] ?? '').replace(/\.js$/, '.ts'), indexUrl)))
  return names.filter(Boolean)
}

const sorted = (names: Iterable<string>) => [...names].sort((a, b) => a.localeCompare(b, 'en'))

test('the root entry exports exactly the values the README lists', async () => {
  const listed = sorted(readmeList().values)
  assert.deepEqual(sorted(Object.keys(await import('../src/index.js'))), listed)
})

test('the built root entry (what is published) exports the same values', async () => {
  const built = (await import(new URL('dist/index.js', packageDir).href)) as Record<string, unknown>
  assert.deepEqual(sorted(Object.keys(built)), sorted(readmeList().values))
})

test('the root entry exports exactly the types the README lists', () => {
  assert.deepEqual(sorted(rootTypeNames()), sorted(readmeList().types))
})

test('the package exports the documented entry points, and nothing else', () => {
  const manifest = JSON.parse(readFileSync(new URL('package.json', packageDir), 'utf8')) as {
    exports: Record<string, unknown>
  }
  assert.deepEqual(sorted(Object.keys(manifest.exports)), [
    '.',
    './provider-kit',
    './server-kit',
    './store-kit',
    './testing',
  ])
})
