import { writeFileSync } from 'node:fs'
import { stringify } from 'yaml'

/**
 * Writes a user configuration (the file `MXCP_CONFIG` names) at `path` whose example project
 * `demo` signs in with `auth` in its default profile; `topLevel` keys (`transport`) go beside
 * `projects`. Returns `path`.
 */
export function writeDemoAuthConfig(
  path: string,
  auth: Record<string, unknown>,
  topLevel: Record<string, unknown> = {},
): string {
  writeFileSync(
    path,
    stringify({ mxcp: 1, projects: { demo: { profiles: { default: { auth } } } }, ...topLevel }),
  )
  return path
}

/** `auth.persistence` on the PostgreSQL database at `url`, its key taken from the environment. */
export function postgresPersistence(url: string): Record<string, unknown> {
  return { type: 'postgres', url, encryption_key: '${MXCP_OAUTH_ENCRYPTION_KEY}' }
}
