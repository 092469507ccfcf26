import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { parse } from 'yaml'
import { configValidateCommand } from '../src/cli/config-validate-command.js'
import { MASK, maskSecrets } from '../src/config/mask-secrets.js'
import { EXAMPLES_DIR, type TempDir, tempDir, writeFiles } from './helpers/example-project.js'
import { runCli } from './helpers/spawn-cli.js'

const home: TempDir = tempDir()
after(() => home.dispose())

/** Every variable the example configs name, with values a test can look for in the output. */
const VARIABLES: Record<string, string> = {
  GITHUB_CLIENT_ID: 'gh-client-id',
  GITHUB_CLIENT_SECRET: 'gh-secret-value-1',
  ATLASSIAN_CLIENT_ID: 'atl-client-id',
  ATLASSIAN_CLIENT_SECRET: 'atl-secret-value-2',
  SALESFORCE_CLIENT_ID: 'sf-client-id',
  SALESFORCE_CLIENT_SECRET: 'sf-secret-value-3',
  KEYCLOAK_CLIENT_ID: 'kc-client-id',
  KEYCLOAK_CLIENT_SECRET: 'kc-secret-value-4',
  KEYCLOAK_REALM: 'demo-realm',
  KEYCLOAK_SERVER_URL: 'https://keycloak.example.com',
  GOOGLE_CLIENT_ID: 'google-client-id',
  GOOGLE_CLIENT_SECRET: 'google-secret-value-5',
  OIDC_ISSUER: 'https://login.example.com',
  OIDC_CLIENT_ID: 'oidc-client-id',
  OIDC_CLIENT_SECRET: 'oidc-secret-value-6',
  MXCP_OAUTH_ENCRYPTION_KEY: 'encryption-key-value-7-0123456789abcdef',
}
const SECRETS = Object.entries(VARIABLES)
  .filter(([name]) => /SECRET|ENCRYPTION_KEY/.test(name))
  .map(([, value]) => value)

const CONFIGS = readdirSync(join(EXAMPLES_DIR, 'config')).filter((name) => name.endsWith('.yml'))

describe('mxcp config validate', () => {
  test('there is a commented example config for every provider and for none', () => {
    assert.deepEqual(CONFIGS.sort(), [
      'atlassian.yml',
      'github.yml',
      'google.yml',
      'keycloak.yml',
      'none.yml',
      'oidc.yml',
      'salesforce.yml',
    ])
  })

  test('every example config passes when its variables are set, and no secret is printed', async () => {
    for (const name of CONFIGS) {
      const exit = { code: -1, stdout: '', stderr: '' }
      exit.code = await configValidateCommand(
        { projectDir: EXAMPLES_DIR, profile: undefined },
        {
          env: { ...VARIABLES, HOME: home.path, MXCP_CONFIG: join(EXAMPLES_DIR, 'config', name) },
          out: (text) => {
            exit.stdout += text
          },
          err: (text) => {
            exit.stderr += text
          },
        },
      )
      assert.equal(exit.code, 0, `${name}: ${exit.stderr}`)
      const printed = parse(exit.stdout) as {
        project: string
        auth: { provider: string }
        definitions: unknown
      }
      assert.equal(printed.project, 'demo')
      assert.equal(printed.auth.provider, name.replace('.yml', ''))
      assert.deepEqual(printed.definitions, {
        tools: ['department_headcount', 'employees_by_department', 'whoami'],
        resources: ['employee://{id}/profile'],
        prompts: ['summarize_department'],
      })
      for (const secret of SECRETS)
        assert.equal(exit.stdout.includes(secret), false, `${name} printed a secret`)
      if (name !== 'none.yml') assert.ok(exit.stdout.includes(MASK), `${name} masks its secrets`)
    }
  })

  test('the real command prints the masked configuration and exits 0', async () => {
    const exit = await runCli(['config', 'validate', '--project', EXAMPLES_DIR], {
      ...VARIABLES,
      HOME: home.path,
      MXCP_CONFIG: join(EXAMPLES_DIR, 'config', 'github.yml'),
    })
    assert.equal(exit.code, 0, exit.stderr)
    assert.match(exit.stdout, /^# The configuration is valid\. Secrets are masked\./)
    assert.match(exit.stdout, /client_secret: "\*{8}"/)
    assert.equal(exit.stdout.includes(VARIABLES['GITHUB_CLIENT_SECRET'] ?? '?'), false)
  })

  test('an unset variable is reported by the real command with exit 1, nothing printed on stdout', async () => {
    const unset = await runCli(['config', 'validate', '--project', EXAMPLES_DIR], {
      HOME: home.path,
      MXCP_CONFIG: join(EXAMPLES_DIR, 'config', 'github.yml'),
    })
    assert.equal(unset.code, 1)
    assert.match(unset.stderr, /Environment variable GITHUB_CLIENT_ID is not set/)
    assert.equal(unset.stdout, '')
  })

  test('every problem of the user config is reported, each with its key path', async () => {
    const dir = writeFiles(home.path, {
      'bad.yml':
        'mxcp: 1\nprojects:\n  demo:\n    profiles:\n      default:\n        auth:\n          provider: none\n          cache_tll: 5\n          rate_limit: { max: 0 }\n',
    })
    let stdout = ''
    let stderr = ''
    const code = await configValidateCommand(
      { projectDir: EXAMPLES_DIR, profile: undefined },
      {
        env: { MXCP_CONFIG: join(dir, 'bad.yml') },
        out: (text) => {
          stdout += text
        },
        err: (text) => {
          stderr += text
        },
      },
    )
    assert.equal(code, 1)
    assert.equal(stdout, '')
    assert.match(stderr, /projects\.demo\.profiles\.default\.auth\.cache_tll: unknown key/)
    assert.match(stderr, /projects\.demo\.profiles\.default\.auth\.rate_limit\.max: /)
  })

  test('secrets are masked by name and inside URLs; URLs and lifetimes named like tokens are kept', () => {
    const masked = maskSecrets({
      auth: {
        clients: [{ client_id: 'a', client_secret: 's1' }],
        github: { client_secret: 's2', token_url: 'https://github.com/login/oauth/access_token' },
        persistence: { encryption_key: 's3', url: 'postgres://mxcp:s4@db:5432/mxcp' },
        access_token_ttl: 3600,
        api_key: 's5',
        refresh_token: 's6',
      },
    })
    assert.deepEqual(masked, {
      auth: {
        clients: [{ client_id: 'a', client_secret: MASK }],
        github: { client_secret: MASK, token_url: 'https://github.com/login/oauth/access_token' },
        persistence: {
          encryption_key: MASK,
          url: `postgres://mxcp:${encodeURIComponent(MASK)}@db:5432/mxcp`,
        },
        access_token_ttl: 3600,
        api_key: MASK,
        refresh_token: MASK,
      },
    })
  })
})
