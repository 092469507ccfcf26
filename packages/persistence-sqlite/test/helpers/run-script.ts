import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface ScriptResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a TypeScript file of test/helpers in a new Node.js process, from the package folder. */
export function runScript(
  script: string,
  args: readonly string[],
  timeoutMs = 30_000,
): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=@mxcp/source',
        '--import',
        'tsx',
        fileURLToPath(new URL(script, import.meta.url)),
        ...args,
      ],
      { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}
