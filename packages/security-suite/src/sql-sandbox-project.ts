import { createHash } from 'node:crypto'
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DuckDBInstance } from '@duckdb/node-api'

/** The repository's example project, the base of every sandbox project. */
const EXAMPLES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../examples')

/** Seed SQL: the example's employees, rows owned by users, and the guide's audit_log. */
const SEED = `CREATE TABLE IF NOT EXISTS employees AS
SELECT * FROM read_csv('data/employees.csv', header = true, columns = {
  'id': 'INTEGER', 'name': 'VARCHAR', 'department': 'VARCHAR', 'title': 'VARCHAR',
  'github_login': 'VARCHAR', 'email': 'VARCHAR', 'hired_on': 'DATE'
});
CREATE TABLE IF NOT EXISTS notes AS
SELECT * FROM (VALUES ('ada', 'ada: engines'), ('ada', 'ada: notes on the engine'), ('grace', 'grace: compilers')) t(owner, body);
CREATE TABLE IF NOT EXISTS audit_log (who VARCHAR, action VARCHAR);
`

/** YAML definitions the guide shows: user functions in a tool and a resource, owner filters, an INSERT. */
const DEFINITIONS: Record<string, string> = {
  'tools/my_data.yml': `mxcp: 1
tool:
  name: my_data
  description: What SQL knows of the caller, and the caller's own rows
  return: { type: object }
  source:
    code: |
      SELECT get_username() AS username, get_user_email() AS email, get_user_provider() AS provider,
             get_user_id() AS user_id, get_user_name() AS name, get_user_external_token() AS token,
             (SELECT list(body ORDER BY body) FROM notes WHERE owner = get_username()) AS notes,
             (SELECT name FROM employees WHERE github_login = get_username()) AS employee
`,
  'tools/log_visit.yml': `mxcp: 1
tool:
  name: log_visit
  parameters:
    - { name: action, type: string, description: What was done }
  source:
    code: INSERT INTO audit_log VALUES (get_username(), $action)
`,
  'tools/my_visits.yml': `mxcp: 1
tool:
  name: my_visits
  return: { type: array }
  source:
    code: SELECT action FROM audit_log WHERE who = get_username() ORDER BY action
`,
  'resources/me.yml': `mxcp: 1
resource:
  uri: me://profile
  name: Me
  mime_type: application/json
  return: { type: object }
  source:
    code: SELECT get_username() AS username, get_user_email() AS email, get_user_provider() AS provider, get_user_id() AS user_id, get_user_name() AS name
`,
}

/** One sandbox: a project folder, a home folder (the user's ~/.mxcp) and an empty folder beside them. */
export interface SandboxProject {
  readonly project: string
  readonly home: string
  /** Empty, outside what SQL may reach: where a hostile COPY would try to write. */
  readonly outside: string
  readonly config: string
  readonly oauthDb: string
  dispose(): void
}

/**
 * A copy of the example project with SQL tools on, a short query time limit, the definitions
 * above, and a user config for GitHub (the stand-in) with SQLite persistence in `~/.mxcp`,
 * `encryption_key` set or not. With `seeded`, the DuckDB file is created and seeded first (what
 * `--readonly` needs).
 */
export async function sandboxProject(options: {
  github: { clientId: string; clientSecret: string; url: string; apiUrl: string }
  keyInConfig: boolean
  seeded: boolean
}): Promise<SandboxProject> {
  const root = mkdtempSync(join(tmpdir(), 'mxcp-sql-sandbox-'))
  const project = join(root, 'project')
  const home = join(root, 'home')
  const outside = join(root, 'outside')
  mkdirSync(outside)
  // examples/custom-provider is a workspace package: its installed dependencies are not the project's.
  cpSync(EXAMPLES, project, {
    recursive: true,
    filter: (source) => !/\.duckdb(\.wal)?$/.test(source) && !/[\\/]node_modules$/.test(source),
  })
  for (const [path, content] of Object.entries(DEFINITIONS)) writeFileSync(join(project, path), content)
  writeFileSync(join(project, 'data', 'seed.sql'), SEED)
  // YAML is a superset of JSON.
  writeFileSync(
    join(project, 'mxcp-site.yml'),
    JSON.stringify({
      mxcp: 1,
      project: 'demo',
      profile: 'default',
      sql_tools: { enabled: true },
      profiles: { default: { duckdb: { path: 'data/demo.duckdb', query_timeout: 2 } } },
    }),
  )
  mkdirSync(join(home, '.mxcp'), { recursive: true })
  const oauthDb = join(home, '.mxcp', 'oauth.db')
  const config = join(home, 'config.yml')
  writeFileSync(
    config,
    JSON.stringify({
      mxcp: 1,
      projects: {
        demo: {
          profiles: {
            default: {
              auth: {
                provider: 'github',
                github: {
                  client_id: options.github.clientId,
                  client_secret: options.github.clientSecret,
                  scope: 'user:email',
                  auth_url: `${options.github.url}/login/oauth/authorize`,
                  token_url: `${options.github.url}/login/oauth/access_token`,
                  api_url: options.github.apiUrl,
                },
                persistence: {
                  type: 'sqlite',
                  path: oauthDb,
                  ...(options.keyInConfig && { encryption_key: 'sandbox-test-key-0123456789abcdef' }),
                },
              },
            },
          },
        },
      },
    }),
  )
  if (options.seeded) {
    const instance = await DuckDBInstance.create(join(project, 'data', 'demo.duckdb'), {
      file_search_path: project,
    })
    const connection = await instance.connect()
    await connection.run(SEED)
    connection.disconnectSync()
    instance.closeSync()
  }
  return {
    project,
    home,
    outside,
    config,
    oauthDb,
    dispose: () => rmSync(root, { recursive: true, force: true }),
  }
}

/**
 * Every file under `folders` with a hash of its content, so a test can show that nothing was
 * written or created. The OAuth database and its -wal/-shm are listed by name only: signing in
 * and calling tools legitimately write them.
 */
export function fileSnapshot(folders: readonly string[]): Record<string, string> {
  const snapshot: Record<string, string> = {}
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      const stats = statSync(path)
      if (stats.isDirectory()) walk(path)
      else if (/^oauth\.db(-wal|-shm)?$/.test(name)) snapshot[path] = 'oauth state'
      else snapshot[path] = createHash('sha256').update(readFileSync(path)).digest('hex')
    }
  }
  for (const folder of folders) walk(folder)
  return snapshot
}
