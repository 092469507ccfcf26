import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { ProviderRegistry, validateAuthConfig } from '@mxcp/auth-core'
import { assertUserContext, FakeClock, type ProviderFlow, startProviderFlow } from '@mxcp/auth-core/testing'
import { HeadlessBrowser } from '@mxcp/testing/browser/headless-browser'
import gitlab from '../src/index.js'
import { GITLAB_USER, type GitLabStandIn, startGitLabStandIn } from './gitlab-stand-in.js'

describe('a provider of your own: GitLab through @mxcp/auth-core', () => {
  let standIn: GitLabStandIn
  let flow: ProviderFlow
  const clock = new FakeClock()

  before(async () => {
    standIn = await startGitLabStandIn()
    flow = await startProviderFlow({
      auth: {
        provider: 'gitlab',
        gitlab: { client_id: standIn.clientId, client_secret: standIn.clientSecret, base_url: standIn.url },
      },
      provider: (auth) => new ProviderRegistry([gitlab]).create('gitlab', auth['gitlab' as never], { clock }),
      clock,
      browser: HeadlessBrowser,
      upstream: { name: 'GitLab', authorizeUrl: `${standIn.url}/oauth/authorize` },
    })
  })
  after(async () => {
    await flow.close()
    await standIn.close()
  })

  test('a user who signs in with GitLab reaches the guarded route as their GitLab account', async () => {
    const { accessToken, clientId } = await flow.signIn()
    const { user } = await flow.userFor(accessToken)
    assertUserContext(user, {
      provider: 'gitlab',
      userId: String(GITLAB_USER.id),
      username: 'tanuki',
      email: 'tanuki@example.com',
      name: 'Tanuki Fox',
      clientId,
    })
    assert.deepEqual(standIn.tokenRequests, ['authorization_code'])
  })

  test("the block is checked by the provider's own schema, in the configuration's keys", () => {
    const providers = new ProviderRegistry([gitlab])
    assert.throws(
      () =>
        validateAuthConfig(
          { provider: 'gitlab', gitlab: { client_id: 'x' } },
          'auth',
          'config.yml',
          providers,
        ),
      { message: 'GitLab OAuth configuration is incomplete: missing gitlab.client_secret' },
    )
    assert.throws(
      () =>
        validateAuthConfig(
          { provider: 'gitlab', gitlab: { client_id: 'x', client_secret: 'y', base_uri: 'z' } },
          'auth',
          'config.yml',
          providers,
        ),
      /auth\.gitlab\.base_uri: unknown key/,
    )
    assert.equal(gitlab({ client_id: 'x', client_secret: 'y' }).callbackPath, '/gitlab/callback')
  })
})
