import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import Fastify from 'fastify'
import { providerBlock } from '../src/config/load-auth.js'
import {
  ConfigError,
  mxcpAuth,
  ProviderRegistry,
  type ProviderRuntimeOptions,
  validateAuthConfig,
} from '../src/index.js'
import { defineProvider, type ProviderBehaviour, Type } from '../src/provider-kit/index.js'
import { FakeClock } from '../src/testing/index.js'
import { githubLike, oidcLike } from './helpers/test-providers.js'

const providers = new ProviderRegistry([githubLike, oidcLike])
const validate = (raw: unknown) => validateAuthConfig(raw, 'auth', 'config.yml', providers)
const problemsOf = (run: () => unknown): readonly string[] => {
  try {
    run()
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error))
    return error.problems
  }
  assert.fail('expected a ConfigError')
}

describe('the provider seam: providers are registered, and each checks its own block', () => {
  test('an auth.provider no registered provider serves fails, naming the registered ones', () => {
    const problems = problemsOf(() => validate({ provider: 'gitlab', gitlab: { client_id: 'x' } }))
    assert.deepEqual(problems, [
      'auth.provider: "gitlab" is not a registered identity provider (registered: none, github, oidc)',
    ])
    assert.throws(() => providers.create('gitlab', {}), /registered: none, github, oidc/)
  })

  test("the guide's snake_case keys map onto the provider's camelCase options, defaults filled", () => {
    const auth = validate({
      provider: 'github',
      github: { client_id: 'id', client_secret: 's', session_timeout_seconds: '600' },
    })
    assert.deepEqual(providerBlock(auth), {
      client_id: 'id',
      client_secret: 's',
      session_timeout_seconds: 600,
      scope: 'user:email',
      auth_url: 'https://github.com/login/oauth/authorize',
      token_url: 'https://github.com/login/oauth/access_token',
      callback_path: '/github/callback',
    })
    const options = githubLike.readBlock({ client_id: 'id', client_secret: 's' })
    assert.equal(options.clientId, 'id')
    assert.equal(options.sessionTimeoutSeconds, 7200)
    assert.equal(options.callbackPath, '/github/callback')
  })

  test('problems in a provider block name the configuration keys, never the option names', () => {
    const problems = problemsOf(() =>
      validate({
        provider: 'github',
        github: { client_id: 'id', client_secret: 's', session_timeout_seconds: 1.5, api_urll: 'x' },
      }),
    )
    assert.deepEqual(problems, ['auth.github.session_timeout_seconds: expected integer'])
    assert.deepEqual(
      problemsOf(() =>
        validate({ provider: 'github', github: { client_id: 'i', client_secret: 's', scope: ['user'] } }),
      ),
      ['auth.github.scope: expected string'],
    )
    assert.deepEqual(
      problemsOf(() =>
        validate({ provider: 'github', github: { client_id: 'i', client_secret: 's', api_urll: 'x' } }),
      ),
      ['auth.github.api_urll: unknown key'],
    )
    // camelCase is the options' spelling in code; in the configuration it is an unknown key.
    assert.deepEqual(
      problemsOf(() => validate({ provider: 'github', github: { clientId: 'i', client_secret: 's' } })),
      ['auth.github.clientId: unknown key'],
    )
  })

  test('missing required options are named as configuration keys, and a key replaces the secret under private_key_jwt', () => {
    assert.throws(() => validate({ provider: 'github', github: { client_id: 'i', client_secret: ' ' } }), {
      message: 'GitHub OAuth configuration is incomplete: missing github.client_secret',
    })
    assert.throws(
      () =>
        validate({
          provider: 'oidc',
          oidc: {
            client_id: 'c',
            issuer: 'https://op.example',
            token_endpoint_auth_method: 'private_key_jwt',
          },
        }),
      { message: 'OIDC OAuth configuration is incomplete: missing oidc.private_key' },
    )
    assert.throws(() => validate({ provider: 'github' }), /missing github\.client_id, github\.client_secret$/)
  })

  test("a registered provider's block not in use is checked against its schema, not for completeness", () => {
    const auth = validate({ provider: 'none', github: { client_id: 'only-the-id' } })
    assert.equal(providerBlock(auth, 'github')?.['callback_path'], '/github/callback')
    assert.deepEqual(
      problemsOf(() => validate({ provider: 'none', github: { scope: [] } })),
      ['auth.github.scope: expected string'],
    )
  })

  test('without a registry, the active block is kept as written (its provider checks it when built); other keys stay unknown', () => {
    const auth = validateAuthConfig({ provider: 'gitlab', gitlab: { client_id: 'x' } })
    assert.deepEqual(providerBlock(auth), { client_id: 'x' })
    assert.deepEqual(
      problemsOf(() => validateAuthConfig({ provider: 'gitlab', gitlab: {}, githb: {} })),
      ['auth.githb: unknown key'],
    )
  })

  test('callback_path is an option of every provider; options in code build the same provider', () => {
    assert.equal(
      githubLike({ client_id: 'i', client_secret: 's', callback_path: '/gh/back' }).callbackPath,
      '/gh/back',
    )
    const fromCode = githubLike.fromOptions({ clientId: 'i', clientSecret: 's' })
    assert.equal(fromCode.callbackPath, '/github/callback')
    assert.equal(fromCode.id, 'github')
    assert.equal(fromCode.label, 'GitHub')
    assert.throws(() => githubLike.fromOptions({ clientId: 'i' }), /missing github\.client_secret/)
  })

  test('two providers cannot take the same id', () => {
    const again = defineProvider({ ...githubSpec(), id: 'github' })
    assert.throws(
      () => new ProviderRegistry([githubLike, again]),
      /Two identity providers are registered as "github"/,
    )
  })
})

describe('the plugin builds the provider from `providers`', () => {
  test("it passes the plugin's clock, fetch and logger down, and routes the callback at callback_path", async () => {
    let runtime: ProviderRuntimeOptions | undefined
    const recording = defineProvider({
      ...githubSpec(),
      create(_options, given): ProviderBehaviour {
        runtime = given
        return githubSpec().create()
      },
    })
    const clock = new FakeClock()
    const ownFetch: typeof fetch = async () => new Response('{}')
    const app = Fastify()
    await app.register(mxcpAuth, {
      auth: validateAuthConfig({
        provider: 'github',
        github: { client_id: 'i', client_secret: 's', callback_path: '/back' },
      }),
      providers: [recording],
      clock,
      fetch: ownFetch,
    })
    await app.ready()
    assert.equal(runtime?.clock, clock)
    assert.equal(runtime?.fetch, ownFetch)
    assert.equal(typeof runtime?.log?.warn, 'function')
    const callback = await app.inject({ method: 'GET', url: '/back?state=unknown&code=x' })
    assert.notEqual(callback.statusCode, 404, 'the callback is routed at callback_path')
    await app.close()
  })

  test('a provider block the registered provider refuses stops registration with its message', async () => {
    const app = Fastify()
    await assert.rejects(
      async () =>
        app.register(mxcpAuth, {
          auth: validateAuthConfig({ provider: 'github', github: { client_id: 'i' } }),
          providers: new ProviderRegistry([githubLike]),
        }),
      { message: 'GitHub OAuth configuration is incomplete: missing github.client_secret' },
    )
    await app.close()
  })
})

/** A minimal provider spec with GitHub's id. */
function githubSpec() {
  return {
    id: 'github',
    label: 'GitHub',
    schema: Type.Object({
      clientId: Type.Optional(Type.String()),
      clientSecret: Type.Optional(Type.String()),
    }),
    create: (): ProviderBehaviour => ({
      authorizationUrl: async () => new URL('https://github.example/authorize'),
      exchangeCode: async () => ({ accessToken: 'a' }),
      userInfo: async () => ({ userId: '1', username: 'u', rawProfile: {} }),
    }),
  }
}
