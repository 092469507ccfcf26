import type { HeadlessOAuthClient } from '@mxcp/testing/browser/headless-oauth-client'
import type { GitHubStandIn } from '@mxcp/testing/stand-ins/github'
import type { ServeOverrides } from '../../src/server/serve-options.js'
import { copyExampleProject } from './example-project.js'
import { authorize, GRACE, githubEnv, startGitHub, writeGitHubUserConfig } from './github-auth.js'
import { startInProcess } from './in-process-server.js'
import { closeInOrder, type ServedExample } from './served-example.js'

/** {@link ServedExample} signing in with GitHub (the stand-in, logging in `ADA` until told otherwise). */
export interface ServedWithGitHub extends ServedExample {
  readonly github: GitHubStandIn
}

/** Serves a copy of the example project with GitHub sign-in at a stand-in of its own. */
export async function serveWithGitHub(overrides?: ServeOverrides): Promise<ServedWithGitHub> {
  const project = copyExampleProject()
  const github = await startGitHub()
  try {
    const running = await startInProcess({
      projectDir: project.path,
      userConfigPath: writeGitHubUserConfig(project.path, github),
      env: githubEnv(github),
      ...(overrides && { overrides }),
    })
    return {
      ...running,
      project,
      github,
      close: () => closeInOrder([running.close, () => github.close(), project.dispose]),
    }
  } catch (error) {
    await closeInOrder([() => github.close(), project.dispose])
    throw error
  }
}

/**
 * Signs in Ada, then Grace (the stand-in switched to her), each through the SDK's discovery and
 * login: Ada's OAuth client (holding her tokens) and Grace's access token, for tests of what one
 * user's token can do to the other's sessions.
 */
export async function signInAdaThenGrace(
  served: ServedWithGitHub,
): Promise<{ ada: HeadlessOAuthClient; graceToken: string }> {
  const ada = await authorize(served.url)
  served.github.user = { ...GRACE }
  const graceToken = (await authorize(served.url)).tokens()?.access_token ?? ''
  return { ada, graceToken }
}
