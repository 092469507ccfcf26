import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The MCP tool every throughput figure calls, on every server: the same name, argument and answer. */
export const TOOL_NAME = 'greet'
/** Its argument. */
export const TOOL_ARGUMENT = 'bench'
/** The text every server answers with (ours JSON-encodes it: `"Hello, bench!"`). */
export const GREETING = `Hello, ${TOOL_ARGUMENT}!`

/**
 * The trivial SQL tool of the bench: the SDK example's `greet`, as MXCP YAML. One DuckDB query
 * with one bound parameter, run with the caller bound (`@mxcp/duckdb-user-fns`) like any tool.
 */
const GREET_TOOL = `mxcp: 1
tool:
  name: ${TOOL_NAME}
  description: A simple greeting tool
  parameters:
    - name: name
      type: string
      description: Name to greet
  return:
    type: string
  source:
    code: SELECT 'Hello, ' || $name || '!' AS greeting
  annotations:
    readOnlyHint: true
`

const SITE = `mxcp: 1
project: bench
profile: default
profiles:
  default:
    duckdb:
      path: data/bench.duckdb
`

/** A private MXCP project folder (each server process gets its own DuckDB file). */
export interface BenchProject {
  readonly dir: string
  /** Writes a user configuration (JSON is YAML) into the project and returns its path. */
  writeUserConfig(name: string, config: object): string
  dispose(): void
}

/** Creates a project with the `greet` tool only. */
export function createBenchProject(label: string): BenchProject {
  const dir = mkdtempSync(join(tmpdir(), `mxcp-bench-${label}-`))
  mkdirSync(join(dir, 'tools'))
  mkdirSync(join(dir, 'data'))
  writeFileSync(join(dir, 'mxcp-site.yml'), SITE)
  writeFileSync(join(dir, 'tools', `${TOOL_NAME}.yml`), GREET_TOOL)
  return {
    dir,
    writeUserConfig(name, config) {
      const path = join(dir, `${name}.yml`)
      writeFileSync(path, JSON.stringify(config, null, 2))
      return path
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  }
}
