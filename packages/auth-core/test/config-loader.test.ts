import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { providerBlock } from '../src/config/load-auth.js'
import { ConfigError, loadConfig, ProviderRegistry } from '../src/index.js'
import { githubLike } from './helpers/test-providers.js'

/** A provider shaped like GitHub's (its package cannot be a dependency of core's tests). */
const providers = new ProviderRegistry([githubLike])

function project(site: string, user?: string): { dir: string; home: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mxcp-config-'))
  const home = join(dir, 'home')
  mkdirSync(join(home, '.mxcp'), { recursive: true })
  writeFileSync(join(dir, 'mxcp-site.yml'), site)
  if (user !== undefined) writeFileSync(join(home, '.mxcp', 'config.yml'), user)
  return { dir, home }
}

const SITE = 'mxcp: 1\nproject: demo\nprofile: dev\n'
const GITHUB_USER = `
projects:
  demo:
    profiles:
      dev:
        auth:
          provider: github
          github:
            client_id: "\${GITHUB_CLIENT_ID}"
            client_secret: "\${GITHUB_CLIENT_SECRET}"
      prod:
        auth:
          provider: github
          github:
            client_id: "\${PROD_ONLY_VARIABLE}"
            client_secret: x
transport:
  http:
    port: "\${PORT}"
`
const ENV = { GITHUB_CLIENT_ID: 'id', GITHUB_CLIENT_SECRET: 'secret', PORT: '8123' }

describe('configuration loader', () => {
  test('without a user config, auth is none with every default', () => {
    const { dir, home } = project(SITE)
    const config = loadConfig({ projectDir: dir, homeDir: home, env: {} })
    assert.equal(config.auth.provider, 'none')
    assert.equal(config.auth.cache_ttl, 300)
    assert.equal(config.auth.access_token_ttl, 3600)
    assert.deepEqual(config.auth.authorization.required_scopes, [])
    assert.equal(config.auth.persistence, undefined)
    assert.equal(config.transport.http.port, 8000)
    assert.equal(config.transport.http.stateless, false, 'MCP sessions by default, as in MXCP')
    assert.equal(config.profileName, 'dev')
    assert.equal(config.duckdbPath, join(dir, 'data', 'db-dev.duckdb'))
  })

  test('~/.mxcp/config.yml is read; ${VAR} is interpolated; a numeric string becomes a port', () => {
    const { dir, home } = project(SITE, GITHUB_USER)
    const config = loadConfig({ projectDir: dir, homeDir: home, env: ENV, providers })
    assert.equal(config.auth.provider, 'github')
    assert.equal(providerBlock(config.auth)?.['client_id'], 'id')
    assert.equal(providerBlock(config.auth)?.['callback_path'], '/github/callback')
    assert.equal(providerBlock(config.auth)?.['scope'], 'user:email')
    assert.equal(config.transport.http.port, 8123)
  })

  test('interpolation skips inactive profiles, which may name unset variables', () => {
    const { dir, home } = project(SITE, GITHUB_USER)
    assert.doesNotThrow(() => loadConfig({ projectDir: dir, homeDir: home, env: ENV }))
  })

  test('an unset variable fails with exactly "Environment variable NAME is not set"', () => {
    const { dir, home } = project(SITE, GITHUB_USER)
    assert.throws(
      () => loadConfig({ projectDir: dir, homeDir: home, env: { ...ENV, GITHUB_CLIENT_ID: undefined } }),
      (error: unknown) =>
        error instanceof ConfigError && error.message === 'Environment variable GITHUB_CLIENT_ID is not set',
    )
  })

  test('--profile overrides MXCP_PROFILE, which overrides the site profile', () => {
    const { dir, home } = project(SITE, GITHUB_USER)
    assert.throws(
      () => loadConfig({ projectDir: dir, homeDir: home, env: { ...ENV, MXCP_PROFILE: 'prod' } }),
      /Environment variable PROD_ONLY_VARIABLE is not set/,
    )
    const chosen = loadConfig({
      projectDir: dir,
      homeDir: home,
      env: { ...ENV, MXCP_PROFILE: 'prod', PROD_ONLY_VARIABLE: 'p' },
      profile: 'dev',
    })
    assert.equal(chosen.profileName, 'dev')
  })

  test('MXCP_CONFIG names the user config file', () => {
    const { dir, home } = project(SITE)
    const path = join(dir, 'elsewhere.yml')
    writeFileSync(
      path,
      'projects:\n  demo:\n    profiles:\n      dev:\n        auth:\n          cache_ttl: 60\n',
    )
    const config = loadConfig({ projectDir: dir, homeDir: home, env: { MXCP_CONFIG: path } })
    assert.equal(config.auth.cache_ttl, 60)
    assert.equal(config.userConfigPath, path)
    assert.throws(
      () => loadConfig({ projectDir: dir, homeDir: home, env: { MXCP_CONFIG: join(dir, 'missing.yml') } }),
      /does not exist/,
    )
  })

  test('an unknown key is reported with its full path', () => {
    const { dir, home } = project(
      SITE,
      'projects:\n  demo:\n    profiles:\n      dev:\n        auth:\n          provider: none\n          cache_tll: 60\n',
    )
    assert.throws(
      () => loadConfig({ projectDir: dir, homeDir: home, env: {} }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.includes('projects.demo.profiles.dev.auth.cache_tll: unknown key'),
    )
  })

  test('a wrong type is reported with its path and what was expected', () => {
    const { dir, home } = project(
      SITE,
      'projects:\n  demo:\n    profiles:\n      dev:\n        auth:\n          cache_ttl: soon\n',
    )
    assert.throws(
      () => loadConfig({ projectDir: dir, homeDir: home, env: {} }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.includes('projects.demo.profiles.dev.auth.cache_ttl: expected integer'),
    )
  })

  test('a provider block without its required fields names them', () => {
    const { dir, home } = project(
      SITE,
      'projects:\n  demo:\n    profiles:\n      dev:\n        auth:\n          provider: github\n          github:\n            client_id: abc\n',
    )
    assert.throws(() => loadConfig({ projectDir: dir, homeDir: home, env: {}, providers }), {
      message: 'GitHub OAuth configuration is incomplete: missing github.client_secret',
    })
  })

  test('the persistence block gets the sqlite defaults, with ~ expanded', () => {
    const { dir, home } = project(
      SITE,
      'projects:\n  demo:\n    profiles:\n      dev:\n        auth:\n          persistence: {}\n',
    )
    const config = loadConfig({ projectDir: dir, homeDir: home, env: {} })
    assert.equal(config.auth.persistence?.type, 'sqlite')
    assert.ok(config.auth.persistence?.path.endsWith(join('.mxcp', 'oauth.db')))
    assert.ok(!config.auth.persistence?.path.startsWith('~'))
  })

  test('pre-registered clients get the guide defaults', () => {
    const { dir, home } = project(
      SITE,
      'projects:\n  demo:\n    profiles:\n      dev:\n        auth:\n          clients:\n            - client_id: cli\n              name: CLI\n',
    )
    const [client] = loadConfig({ projectDir: dir, homeDir: home, env: {} }).auth.clients
    assert.deepEqual(client?.grant_types, ['authorization_code'])
    assert.deepEqual(client?.scopes, ['mxcp:access'])
    assert.ok(client?.redirect_uris.length)
  })

  test('a missing mxcp-site.yml says which folder was searched', () => {
    assert.throws(() => loadConfig({ projectDir: tmpdir(), env: {} }), /No mxcp-site.yml in/)
  })

  test('the site config is validated too', () => {
    const { dir, home } = project('mxcp: 1\nproject: demo\nsql_tools:\n  enabled: maybe\n')
    assert.throws(
      () => loadConfig({ projectDir: dir, homeDir: home, env: {} }),
      /sql_tools\.enabled: expected boolean/,
    )
  })
})
