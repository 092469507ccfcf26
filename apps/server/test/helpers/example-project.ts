import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository's example project. */
export const EXAMPLES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../examples')

/** The server's entry point, run from source. */
export const CLI_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../src/cli.ts')

/** A temporary folder removed by `dispose()`. */
export interface TempDir {
  readonly path: string
  dispose(): void
}

export function tempDir(prefix = 'mxcp-server-test-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) }
}

/**
 * A private copy of `examples/` (without any DuckDB file), so that tests running in parallel
 * never share a database file.
 */
export function copyExampleProject(): TempDir {
  const dir = tempDir('mxcp-example-')
  cpSync(EXAMPLES_DIR, dir.path, {
    recursive: true,
    // The custom-provider package's installed dependencies are not part of the project.
    filter: (source) => !/\.duckdb(\.wal)?$/.test(source) && !/[\\/]node_modules$/.test(source),
  })
  return dir
}

/** Writes `files` (path relative to `root` → content) and returns `root`. */
export function writeFiles(root: string, files: Readonly<Record<string, string>>): string {
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path)
    mkdirSync(dirname(full), { recursive: true })
    writeFileSync(full, content)
  }
  return root
}
