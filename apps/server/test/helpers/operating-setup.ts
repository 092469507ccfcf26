import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { connectWithOAuth, HeadlessOAuthClient } from '@mxcp/testing/browser/headless-oauth-client'
import type { GitHubStandIn } from '@mxcp/testing/stand-ins/github'
import { authCommand } from '../../src/cli/auth-command.js'
import { logCommand } from '../../src/cli/log-command.js'
import { parseOperatorArguments } from '../../src/cli/operator-arguments.js'
import { UsageError } from '../../src/cli/parse-arguments.js'
import { copyExampleProject, type TempDir } from './example-project.js'
import { githubEnv, startGitHub, writeGitHubUserConfig } from './github-auth.js'
import { type CliProcess, runCli, startCli } from './spawn-cli.js'

/** The example project with GitHub (stand-in), a SQLite store and, optionally, the audit trail on. */
export interface OperatingSetup {
  readonly project: TempDir
  readonly github: GitHubStandIn
  readonly env: Record<string, string>
  readonly sqlitePath: string
  readonly auditPath: string
}

/** Everything a test started, closed in reverse order by `closeAll`. */
export const cleanups: (() => Promise<unknown> | unknown)[] = []
export async function closeAll(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
}

export async function setUpOperating(
  options: { audit?: boolean; includeArguments?: boolean } = {},
): Promise<OperatingSetup> {
  const project = copyExampleProject()
  cleanups.push(() => project.dispose())
  const github = await startGitHub()
  cleanups.push(() => github.close())
  const sqlitePath = join(project.path, 'oauth', 'oauth.db')
  const config = writeGitHubUserConfig(project.path, github, { sqlitePath })
  const auditPath = join(project.path, 'audit', 'logs.jsonl')
  if (options.audit) {
    const site = join(project.path, 'mxcp-site.yml')
    const audit = `    audit:\n      enabled: true\n      include_arguments: ${options.includeArguments ?? false}\n`
    writeFileSync(site, `${readFileSync(site, 'utf8').trimEnd()}\n${audit}`)
  }
  return {
    project,
    github,
    sqlitePath,
    auditPath,
    env: { ...githubEnv(github), HOME: project.path, MXCP_CONFIG: config },
  }
}

/** Starts the real `mxcp serve` (extra arguments after the defaults). */
export async function serve(
  setup: OperatingSetup,
  ...args: string[]
): Promise<{ cli: CliProcess; url: string }> {
  const cli = startCli(
    ['serve', '--project', setup.project.path, '--host', '127.0.0.1', '--port', '0', ...args],
    setup.env,
  )
  cleanups.push(() => cli.stop())
  return { cli, url: await cli.url() }
}

/** Starts `mxcp serve --debug` with the SQL tools: the URL comes from the readable "mxcp serving MCP at" line. */
export async function serveDebug(setup: OperatingSetup): Promise<{ cli: CliProcess; url: string }> {
  const cli = startCli(
    [
      'serve',
      '--project',
      setup.project.path,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--debug',
      '--sql-tools',
      'true',
    ],
    setup.env,
  )
  cleanups.push(() => cli.stop())
  const url = await new Promise<string>((resolve, reject) => {
    const look = (): void => {
      const found = /mxcp serving MCP at (http:\/\/\S+\/mcp)/.exec(cli.stdout)
      if (found?.[1]) resolve(found[1])
    }
    cli.child.stdout?.on('data', look)
    void cli.exited.then(() => reject(new Error(`mxcp exited:\n${cli.stdout}\n${cli.stderr}`)))
  })
  return { cli, url }
}

/** Signs in through the whole OAuth flow with the real SDK client. */
export async function signIn(url: string): Promise<{ client: Client; oauth: HeadlessOAuthClient }> {
  const oauth = new HeadlessOAuthClient({ clientName: 'operating e2e' })
  const client = await connectWithOAuth(url, oauth)
  cleanups.push(() => client.close())
  return { client, oauth }
}

/** What an operator command printed, and its exit code. */
export interface OperatorResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs an `mxcp log` / `mxcp auth …` command on the setup's project, in this process (the
 * command's own code, with the setup's environment; a spawned process costs seconds each).
 * `spawnOperator` runs the real process where that matters.
 */
export async function operator(
  setup: { project: TempDir; env: Record<string, string> },
  ...args: string[]
): Promise<OperatorResult> {
  const out: string[] = []
  const err: string[] = []
  const io = { env: setup.env, out: (text: string) => out.push(text), err: (text: string) => err.push(text) }
  const result = (code: number): OperatorResult => ({
    code,
    stdout: out.map((text) => (text.endsWith('\n') ? text : `${text}\n`)).join(''),
    stderr: err.join('\n'),
  })
  let command: ReturnType<typeof parseOperatorArguments>
  try {
    command = parseOperatorArguments([...args, '--project', setup.project.path])
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    err.push(error.message)
    return result(2)
  }
  return result(command.name === 'log' ? await logCommand(command, io) : await authCommand(command, io))
}

/** Runs an operator command as the real `mxcp` process. */
export function spawnOperator(setup: { project: TempDir; env: Record<string, string> }, ...args: string[]) {
  return runCli([...args, '--project', setup.project.path], setup.env)
}

/** Posts a form to the server's `path` (the token and revocation endpoints). */
export async function postForm(
  mcpUrl: string,
  path: string,
  form: Record<string, string>,
): Promise<Response> {
  return fetch(new URL(path, mcpUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  })
}

/** What only the server, the provider and the client see: none of it may reach a log line. */
export function secretsOf(github: GitHubStandIn, oauth: HeadlessOAuthClient): string[] {
  const upstreamToken = github.requests
    .find((request) => request.endpoint === 'user')
    ?.headers.authorization?.replace(/^(Bearer|token) /i, '')
  const upstreamCode = github.requests.find((request) => request.endpoint === 'token')?.body['code']
  return [
    oauth.tokens()?.access_token,
    oauth.tokens()?.refresh_token,
    oauth.lastRedirect?.params.get('code') ?? undefined,
    typeof upstreamCode === 'string' ? upstreamCode : undefined,
    upstreamToken,
    github.clientSecret,
  ].filter((value): value is string => typeof value === 'string' && value.length > 0)
}
