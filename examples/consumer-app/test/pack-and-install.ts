import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** The repository's root. */
export const WORKSPACE = fileURLToPath(new URL('../../../', import.meta.url))
const APP_SOURCE = fileURLToPath(new URL('../app/', import.meta.url))
/** The GitLab provider of `examples/custom-provider`: not ours to publish, but installed the same way. */
const CUSTOM_PROVIDER_DIR = fileURLToPath(new URL('../../custom-provider/', import.meta.url))

interface Manifest {
  readonly name: string
  readonly private?: boolean
  readonly dependencies?: Record<string, string>
  readonly devDependencies?: Record<string, string>
}

async function manifest(dir: string): Promise<Manifest> {
  return JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Manifest
}

/** Every public package of the workspace: its directory and name. */
export async function publicPackages(): Promise<{ dir: string; name: string }[]> {
  const root = join(WORKSPACE, 'packages')
  const found: { dir: string; name: string }[] = []
  for (const entry of (await readdir(root)).sort()) {
    const dir = join(root, entry)
    const pkg = await manifest(dir).catch(() => undefined)
    if (pkg && pkg.private !== true) found.push({ dir, name: pkg.name })
  }
  return found
}

/**
 * `pnpm pack` of the packages in `dirs` (built by turbo before the tests) into `into`, in one
 * recursive pnpm run: one pnpm start-up instead of one a package, which was most of the packing's
 * time. The tarballs' paths by package name.
 */
async function pack(dirs: readonly string[], into: string): Promise<Map<string, string>> {
  await mkdir(into, { recursive: true })
  const filters = dirs.flatMap((dir) => ['--filter', `{${relative(WORKSPACE, dir)}}`])
  const { stdout } = await run(
    'pnpm',
    ['--recursive', ...filters, 'pack', '--pack-destination', into, '--json'],
    { cwd: WORKSPACE, maxBuffer: 16 * 1024 * 1024 },
  )
  const packed = [JSON.parse(stdout) as PackResult | PackResult[]].flat()
  const tarballs = new Map(packed.map(({ name, filename }) => [name, filename]))
  if (tarballs.size !== dirs.length)
    throw new Error(`pnpm pack made ${tarballs.size} tarballs for ${dirs.length} packages:\n${stdout}`)
  return tarballs
}

/** What `pnpm pack --json` says of each tarball it made. */
interface PackResult {
  readonly name: string
  readonly filename: string
}

/** The TypeScript blocks of a README, each a module of its own. */
function typescriptBlocks(readme: string): string[] {
  return [...readme.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((match) => `${match[1] ?? ''}export {}\n`)
}

/** A range the workspace already uses for `name` (so the pnpm store has it), else `fallback`. */
async function workspaceRange(name: string, fallback: string): Promise<string> {
  const dirs = ['packages/auth-core', 'packages/duckdb-user-fns', 'packages/testing', '.']
  for (const dir of dirs.map((relative) => join(WORKSPACE, relative))) {
    const pkg = await manifest(dir)
    const range = pkg.dependencies?.[name] ?? pkg.devDependencies?.[name]
    if (range) return range
  }
  return fallback
}

/**
 * `pnpm install` from the local store only (the workspace's install filled it); if something is
 * missing there, again with the registry for what the store lacks.
 */
async function install(dir: string): Promise<void> {
  const options = { cwd: dir, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 }
  try {
    await run('pnpm', ['install', '--offline', '--reporter=append-only'], options)
  } catch {
    await run('pnpm', ['install', '--prefer-offline', '--reporter=append-only'], options)
  }
}

export interface InstalledApp {
  /** The app's folder, outside the workspace. */
  readonly dir: string
  readonly tarballs: ReadonlyMap<string, string>
  /** Copies of the public packages' README examples, in `readme-examples/`. */
  readonly readmeExamples: readonly string[]
}

/**
 * Packs every public package, and installs the tarballs (with the registry's fastify, MCP SDK…)
 * into a new app in the system's temporary folder, from the workspace's warm pnpm store.
 */
export async function packAndInstall(): Promise<InstalledApp> {
  const root = await mkdtemp(join(tmpdir(), 'mxcp-consumer-'))
  const packages = await publicPackages()
  // With them, a provider of the user's own, packed like a third party's package would be.
  const tarballs = await pack(
    [...packages.map(({ dir }) => dir), CUSTOM_PROVIDER_DIR],
    join(root, 'tarballs'),
  )
  const dir = join(root, 'app')
  await cp(APP_SOURCE, dir, { recursive: true })
  const dependencies: Record<string, string> = {}
  for (const [name, tarball] of tarballs) dependencies[name] = `file:${tarball}`
  for (const [name, fallback] of [
    ['fastify', '^5.0.0'],
    ['@modelcontextprotocol/sdk', '^1.0.0'],
    ['@fastify/auth', '^5.0.0'],
    ['@duckdb/node-api', '1.5.6-r.1'], // the duckdb-user-fns example creates its own instance
  ] as const)
    dependencies[name] = await workspaceRange(name, fallback)
  const app = {
    name: 'mxcp-consumer-app',
    private: true,
    type: 'module',
    dependencies,
    devDependencies: { '@types/node': await workspaceRange('@types/node', '^20.0.0') },
    // No install scripts: the app does not open SQLite, so better-sqlite3 need not be compiled.
    pnpm: { onlyBuiltDependencies: [] },
  }
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(app, null, 2)}\n`)
  const readmeExamples: string[] = []
  await mkdir(join(dir, 'readme-examples'))
  for (const { dir: packageDir } of packages) {
    const blocks = typescriptBlocks(await readFile(join(packageDir, 'README.md'), 'utf8'))
    for (const [index, block] of blocks.entries()) {
      const file = join('readme-examples', `${packageDir.split('/').pop()}-${index + 1}.ts`)
      await writeFile(join(dir, file), block)
      readmeExamples.push(file)
    }
  }
  await install(dir)
  return { dir, tarballs, readmeExamples }
}
