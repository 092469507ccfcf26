import type { ServeOverrides } from '../../src/server/serve-options.js'
import { copyExampleProject, type TempDir } from './example-project.js'
import { type RunningServer, startInProcess } from './in-process-server.js'

/**
 * A private copy of the example project served in this process. `close()` stops the server and
 * whatever was started for it, and removes the copy.
 */
export interface ServedExample extends RunningServer {
  readonly project: TempDir
}

/** Serves a copy of the example project without authentication, with `overrides` as the CLI flags give them. */
export async function serveExample(overrides?: ServeOverrides): Promise<ServedExample> {
  const project = copyExampleProject()
  try {
    const running = await startInProcess({ projectDir: project.path, ...(overrides && { overrides }) })
    return { ...running, project, close: () => closeInOrder([running.close, project.dispose]) }
  } catch (error) {
    project.dispose()
    throw error
  }
}

/** Runs `steps` one after the other: what a served project ends in the order it started. */
export async function closeInOrder(steps: readonly (() => Promise<unknown> | unknown)[]): Promise<void> {
  for (const step of steps) await step()
}
