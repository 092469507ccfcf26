import { isAbsolute, relative, resolve, sep } from 'node:path'

/** What DuckDB may touch once locked down: folders/URL prefixes, and single files. */
export interface AccessPolicy {
  /** Folders (absolute, ending in '/') and URL prefixes. */
  readonly directories: readonly string[]
  readonly files: readonly string[]
}

/** Thrown at start-up when the allow-list would expose the OAuth database or its key. */
export class UnsafeAccessPolicyError extends Error {
  override readonly name = 'UnsafeAccessPolicyError'
}

const URL_PREFIX = /^[a-z][a-z0-9+.-]*:\/\//i

/** Options of {@link accessPolicy}. */
export interface AccessPolicyOptions {
  /** The project folder: relative entries resolve against it. */
  readonly projectDir: string
  /** The project's data folder (`paths.data`), relative to the project folder or absolute. */
  readonly dataDir: string
  /** The DuckDB file, or `:memory:`. */
  readonly duckdbPath: string
  /** `duckdb.allowed_paths`: files, folders (ending in '/') and URL prefixes. */
  readonly allowed: readonly string[]
  /** Files SQL must never reach: the OAuth database (and its -wal/-shm) and key file. */
  readonly secrets: readonly string[]
  /** The process's working folder (default `process.cwd()`). */
  readonly cwd?: string | undefined
}

/**
 * The folders, URL prefixes and files DuckDB may access: the data folder, the DuckDB file (and
 * its spill folder), and what the operator listed. Refuses a policy under which a secret file
 * would be readable, naming both.
 */
export function accessPolicy(options: AccessPolicyOptions): AccessPolicy {
  const directories: string[] = []
  const files: string[] = []
  const folder = (path: string): string => (path.endsWith(sep) ? path : path + sep)
  const dataDir = resolve(options.projectDir, options.dataDir)
  directories.push(folder(dataDir))
  // DuckDB checks a relative path ('data/x.csv', as the guide writes it) as written (after
  // normalising '..'), then looks for it in the working folder first and on file_search_path
  // (the project folder) after. So 'data/' may be allowed only when the working folder is the
  // project folder: elsewhere it would open the working folder's data/.
  const cwd = options.cwd ?? process.cwd()
  if (!isAbsolute(options.dataDir) && resolve(cwd, options.dataDir) === dataDir) {
    directories.push(folder(options.dataDir.replace(/^\.\//, '')))
  }
  if (options.duckdbPath !== ':memory:') {
    files.push(options.duckdbPath, `${options.duckdbPath}.wal`)
    directories.push(folder(`${options.duckdbPath}.tmp`))
  }
  for (const entry of options.allowed) {
    if (URL_PREFIX.test(entry)) {
      if (!/^https?:\/\/[^/]+\//i.test(entry)) {
        throw new UnsafeAccessPolicyError(
          `duckdb.allowed_paths: the URL prefix ${entry} must name a host and end its host part with '/'`,
        )
      }
      directories.push(entry)
    } else if (entry.endsWith('/')) {
      directories.push(folder(resolve(options.projectDir, entry)))
    } else {
      files.push(resolve(options.projectDir, entry))
    }
  }
  for (const secret of options.secrets) {
    const absolute = resolve(secret)
    const exposedBy =
      directories.find(
        (dir) => !URL_PREFIX.test(dir) && isInside(absolute, resolve(options.projectDir, dir)),
      ) ?? files.find((file) => file === absolute)
    if (exposedBy !== undefined) {
      throw new UnsafeAccessPolicyError(
        `${absolute} holds OAuth secrets and lies inside ${exposedBy}, which SQL may read: move it (auth.persistence.path) or narrow duckdb.allowed_paths`,
      )
    }
  }
  return { directories, files }
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

/** A DuckDB list literal of strings. */
export function sqlStringList(values: readonly string[]): string {
  return `[${values.map((value) => `'${value.replaceAll("'", "''")}'`).join(', ')}]`
}
