import { join } from 'node:path'
import { auth } from '@modelcontextprotocol/sdk/client/auth.js'
import { HeadlessOAuthClient } from '@mxcp/testing/browser/headless-oauth-client'
import { GitHubStandIn } from '@mxcp/testing/stand-ins/github'
import { writeDemoAuthConfig } from './user-config.js'

/** The GitHub user the stand-in logs in: `ada`, who is an employee of the example dataset. */
export const ADA = {
  id: 1815,
  login: 'ada',
  name: 'Ada Lovelace',
  email: null,
  emails: [{ email: 'ada@example.com', primary: true, verified: true, visibility: 'private' as const }],
  orgs: ['analytical-engines'],
}

/** A second GitHub user, for tests of what one user's token can do to another's sessions. */
export const GRACE = { ...ADA, id: 1906, login: 'grace', name: 'Grace Hopper', emails: [] }

/** A GitHub stand-in on loopback, logging in {@link ADA}. */
export function startGitHub(): Promise<GitHubStandIn> {
  return new GitHubStandIn({ user: ADA }).start()
}

/** Options of {@link writeGitHubUserConfig}. */
export interface GitHubConfigOptions {
  readonly requiredScopes?: readonly string[]
  /** A SQLite file for OAuth state; in memory without it. */
  readonly sqlitePath?: string
  /** `auth.authorization.scope_grants`: scope → who is granted it. */
  readonly scopeGrants?: Record<string, Record<string, readonly string[]>>
}

/**
 * Writes a user config (as `MXCP_CONFIG` would name) for the example project `demo` with
 * provider github pointed at the stand-in, the secrets given as `${VAR}` (see {@link githubEnv}).
 */
export function writeGitHubUserConfig(
  dir: string,
  github: GitHubStandIn,
  options: GitHubConfigOptions = {},
): string {
  const authBlock: Record<string, unknown> = { provider: 'github', github: github.configBlock() }
  if (options.requiredScopes || options.scopeGrants) {
    authBlock['authorization'] = {
      ...(options.requiredScopes ? { required_scopes: options.requiredScopes } : {}),
      ...(options.scopeGrants ? { scope_grants: options.scopeGrants } : {}),
    }
  }
  if (options.sqlitePath) {
    authBlock['persistence'] = {
      type: 'sqlite',
      path: options.sqlitePath,
      encryption_key: '${MXCP_OAUTH_ENCRYPTION_KEY}',
    }
  }
  return writeDemoAuthConfig(join(dir, 'config.yml'), authBlock)
}

/** The environment the config of {@link writeGitHubUserConfig} needs. */
export function githubEnv(github: GitHubStandIn): Record<string, string> {
  return {
    GITHUB_CLIENT_ID: github.clientId,
    GITHUB_CLIENT_SECRET: github.clientSecret,
    MXCP_OAUTH_ENCRYPTION_KEY: 'test-encryption-key-0123456789abcdef0123',
  }
}

/**
 * Runs the whole OAuth flow with the real SDK client's `auth()` (discovery, registration,
 * consent, the upstream login, the token) for `scope`, or for the scope the server asks for.
 * Returns the client holding the tokens.
 */
export async function authorize(mcpUrl: string, scope?: string): Promise<HeadlessOAuthClient> {
  const client = new HeadlessOAuthClient(scope === undefined ? {} : { scope })
  const first = await auth(client, { serverUrl: mcpUrl, ...(scope !== undefined && { scope }) })
  if (first !== 'REDIRECT' || !client.pendingCode) throw new Error(`expected a redirect, got ${first}`)
  const code = await client.pendingCode
  const second = await auth(client, { serverUrl: mcpUrl, authorizationCode: code })
  if (second !== 'AUTHORIZED') throw new Error(`expected AUTHORIZED, got ${second}`)
  return client
}
