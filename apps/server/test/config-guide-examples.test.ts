import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { type AuthConfig, ConfigError, validateAuthConfig as validateWithoutProviders } from '@mxcp/auth-core'
import { AuthConfigSchema, parseUserConfig, providerBlock } from '@mxcp/auth-core/server-kit'
import Value from 'typebox/value'
import { parse } from 'yaml'
import { builtinProviders } from '../src/auth/server-providers.js'

/** The guide's examples are checked as the server checks them: with its built-in providers. */
const providers = builtinProviders()
const validateAuthConfig = (raw: unknown): AuthConfig =>
  validateWithoutProviders(raw, 'auth', 'auth config', providers)

const folder = join(import.meta.dirname, 'fixtures', 'guide')
const read = (name: string) => readFileSync(join(folder, name), 'utf8')

/** An environment that sets every `${VAR}` a text names. */
function envFor(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/\$\{(\w+)\}/g)].map(([, name]) => [name!, `value-of-${name}`]))
}

function profilesOf(text: string): Array<[string, string]> {
  const doc = parse(text) as { projects: Record<string, { profiles: Record<string, unknown> }> }
  return Object.entries(doc.projects).flatMap(([project, { profiles }]) =>
    Object.keys(profiles).map((p): [string, string] => [project, p]),
  )
}

/** Examples where the guide elides part of the block with `# ...`, and what that leaves out. */
const ELIDED: Record<string, RegExp> = {
  '10-user.yml': /GitHub OAuth configuration is incomplete: missing github\.client_id, github\.client_secret/,
  '11-user.yml': /GitHub OAuth configuration is incomplete: missing github\.client_id, github\.client_secret/,
  '14-user.yml': /clients\.0: missing required key \["name"\]/,
  '15-user.yml': /clients\.0: missing required key \["name"\]/,
}

describe('every example config of the guide', () => {
  const users = readdirSync(folder).filter((name) => name.endsWith('-user.yml'))
  assert.ok(users.length >= 10)
  for (const name of users) {
    const text = read(name)
    for (const [project, profile] of profilesOf(text)) {
      const elided = ELIDED[name]
      test(`${name} (${project}/${profile}) ${elided ? 'reports exactly what its elision leaves out' : 'loads and validates unchanged'}`, () => {
        const load = () =>
          parseUserConfig(parse(text), { project, profile, env: envFor(text), source: name, providers })
        if (elided) {
          assert.throws(load, (error: unknown) => error instanceof ConfigError && elided.test(error.message))
          return
        }
        const { auth } = load()
        assert.notEqual(auth.provider, undefined)
        assert.equal(auth.cache_ttl >= 1, true)
        if (auth.provider !== 'none') assert.ok(providerBlock(auth), 'the active provider block is filled')
      })
    }
  }

  test('the Salesforce sandbox block validates', () => {
    const block = parse(read('05-fragment.yml')).salesforce
    const auth = validateAuthConfig({ provider: 'salesforce', salesforce: block })
    assert.equal(auth.salesforce?.token_url, 'https://test.salesforce.com/services/oauth2/token')
  })

  test('the Keycloak custom scope block validates with the defaults filled', () => {
    const block = {
      ...parse(read('08-fragment.yml')).keycloak,
      client_id: 'c',
      client_secret: 's',
      realm: 'r',
      server_url: 'http://kc',
    }
    const auth = validateAuthConfig({ provider: 'keycloak', keycloak: block })
    assert.equal(auth.keycloak?.scope, 'openid profile email custom_scope')
    assert.equal(auth.keycloak?.callback_path, '/keycloak/callback')
  })

  test('the Keycloak multiple-realms fragment reports the elided client fields', () => {
    const doc = parse(read('07-fragment.yml')) as Record<string, { auth: unknown }>
    for (const profile of Object.values(doc)) {
      assert.throws(
        () => validateAuthConfig(profile.auth),
        /Keycloak OAuth configuration is incomplete: missing keycloak\.client_id, keycloak\.client_secret, keycloak\.server_url/,
      )
    }
  })

  test('each of the three authorization examples validates', () => {
    const alternatives = read('16-fragment.yml').split(/\n\s*\n/)
    assert.equal(alternatives.length, 3)
    for (const alternative of alternatives) {
      const auth = validateAuthConfig({ authorization: parse(alternative).authorization })
      assert.ok(Array.isArray(auth.authorization.required_scopes))
    }
  })

  for (const name of ['17-transport.yml', '18-transport.yml', '19-transport.yml']) {
    test(`the reverse-proxy transport example ${name} validates`, () => {
      // Validated as the loader validates a user config's `transport`.
      const { transport } = parseUserConfig(
        { projects: { p: { profiles: { d: {} } } }, transport: parse(read(name)).transport },
        { project: 'p', profile: 'd', env: {}, source: name, providers },
      )
      assert.equal(transport.http.port, 8000)
    })
  }

  test('the reverse-proxy auth example validates', () => {
    const text = read('20-auth.yml')
    const raw = parse(text).auth
    // The guide's snippet omits the github block; supply it as the surrounding profile would.
    const auth = validateAuthConfig({ ...raw, github: { client_id: 'id', client_secret: 'secret' } })
    assert.deepEqual(auth.clients[0]?.redirect_uris, ['https://api.example.com/github/callback'])
    assert.ok(Value.Check(AuthConfigSchema, raw))
  })

  test('every provider of the guide has a block schema', () => {
    assert.deepEqual(providers.ids().sort(), [
      'atlassian',
      'github',
      'google',
      'keycloak',
      'oidc',
      'salesforce',
    ])
  })
})
