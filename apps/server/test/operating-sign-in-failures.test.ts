import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { auth } from '@modelcontextprotocol/sdk/client/auth.js'
import { BrowserError } from '@mxcp/testing/browser/headless-browser'
import { HeadlessOAuthClient } from '@mxcp/testing/browser/headless-oauth-client'
import { stringify } from 'yaml'
import { copyExampleProject } from './helpers/example-project.js'
import { freePort, type RunningStandIn, startStandIn } from './helpers/provider-stand-ins.js'
import { startCli } from './helpers/spawn-cli.js'

const cleanups: (() => Promise<unknown> | unknown)[] = []
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
})

const WRONG_SECRET = 'wrong-secret-0123456789-do-not-log'

/** Signs in with the real SDK client and the headless browser; resolves with where the browser stopped. */
async function failedSignIn(url: string): Promise<{ error: BrowserError; clientId: string | undefined }> {
  const client = new HeadlessOAuthClient({ clientName: 'failure e2e' })
  assert.equal(await auth(client, { serverUrl: url }), 'REDIRECT')
  const error = await client.pendingCode?.then(
    () => assert.fail('the sign-in succeeded with a wrong client secret'),
    (reason: unknown) => reason,
  )
  assert.ok(error instanceof BrowserError, `expected the browser to stop on a page, got ${String(error)}`)
  return { error, clientId: client.clientInformation()?.client_id }
}

// One at a time: Google's and Keycloak's stand-ins must know our port before we listen on it.
describe('a wrong client secret at each provider: a warn line an operator can act on, and a page the user can quote', () => {
  const PROVIDER_ERRORS = {
    github: 'incorrect_client_credentials', // GitHub answers 200 with an error field
    atlassian: 'access_denied', // Atlassian's 401 for a wrong secret
    salesforce: 'invalid_client',
    google: 'invalid_client',
    keycloak: 'invalid_client',
  } as const
  for (const provider of ['github', 'atlassian', 'salesforce', 'google', 'keycloak'] as const) {
    test(`${provider}: the code exchange refusal is logged at warn with the step and the provider's error, and the page names the credentials and the request id`, async (t) => {
      // Only the stand-ins that check our callback URL need the port in advance; the others take any.
      const needsPort = provider === 'google' || provider === 'keycloak'
      const port = needsPort ? await freePort() : 0
      const base = `http://127.0.0.1:${port}`
      const standIn: RunningStandIn = await startStandIn(provider, base)
      cleanups.push(() => standIn.close())
      const project = copyExampleProject()
      cleanups.push(() => project.dispose())
      const config = join(project.path, 'config.yml')
      writeFileSync(
        config,
        stringify({
          mxcp: 1,
          projects: {
            demo: { profiles: { default: { auth: { provider, [provider]: standIn.block(WRONG_SECRET) } } } },
          },
        }),
      )
      const cli = startCli(
        ['serve', '--project', project.path, '--host', '127.0.0.1', '--port', String(port)],
        {
          HOME: project.path,
          MXCP_CONFIG: config,
        },
      )
      cleanups.push(() => cli.stop())
      const url = await cli.url()
      try {
        const { error, clientId } = await failedSignIn(url)
        assert.equal(error.status, 502)
        assert.match(error.pageText, new RegExp(`${standIn.label} did not accept this server's credentials`))
        const requestId = /request id (\w+)/.exec(error.pageText)?.[1]
        assert.match(requestId ?? '', /^[0-9a-f]{12}$/, 'the page gives a request id to quote')
        assert.doesNotMatch(
          error.pageText,
          /wrong-secret|invalid_client|incorrect_client|access_denied/,
          'no internal detail',
        )

        await cli.stop()
        const warn = cli.logLines().find((line) => line['reqId'] === requestId && line['level'] === 40)
        assert.ok(warn, 'one warn line carries the request id of the page')
        assert.equal(warn['msg'], 'sign-in failed at code exchange: credentials')
        assert.equal(warn['provider'], provider)
        assert.equal(warn['clientId'], clientId)
        assert.equal(warn['step'], 'code exchange')
        assert.equal(warn['problem'], 'credentials')
        assert.equal(warn['providerError'], PROVIDER_ERRORS[provider], "the provider's own error code")
        const output = cli.stdout + cli.stderr
        assert.equal(output.includes(WRONG_SECRET), false, 'the configured secret never reaches the log')
        assert.equal(output.includes(standIn.clientSecret), false)
      } catch (failure) {
        t.diagnostic(`mxcp output:\n${cli.stdout}\n${cli.stderr}`)
        throw failure
      }
    })
  }
})
