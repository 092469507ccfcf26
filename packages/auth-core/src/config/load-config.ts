import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'
import { parse as parseYaml } from 'yaml'
import type { ProviderRegistry } from '../provider-kit/provider-registry.js'
import type { AuthConfig } from './auth-schema.js'
import { ConfigError } from './config-error.js'
import { interpolate } from './interpolate.js'
import { expandHome, validateAuthConfig } from './load-auth.js'
import { type SiteConfig, SiteConfigSchema } from './site-schema.js'
import { type TransportConfig, TransportConfigSchema } from './transport-schema.js'
import { validateWithSchema } from './validate.js'

export interface LoadConfigOptions {
  /** The project folder holding `mxcp-site.yml` (default: the current folder). */
  readonly projectDir?: string
  /** Overrides `MXCP_PROFILE` and the site's `profile`. */
  readonly profile?: string | undefined
  /** Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Overrides `MXCP_CONFIG`; default `~/.mxcp/config.yml`. */
  readonly userConfigPath?: string
  readonly homeDir?: string
  /**
   * The identity providers `auth.provider` may name; each block is checked by its provider's
   * schema. Without it the active provider's block is kept as written (checked when built).
   */
  readonly providers?: ProviderRegistry | undefined
}

export interface ResolvedConfig {
  readonly projectDir: string
  readonly sitePath: string
  /** The user config file read, or undefined when none exists (then auth is `none`). */
  readonly userConfigPath: string | undefined
  readonly site: SiteConfig
  readonly projectName: string
  readonly profileName: string
  readonly auth: AuthConfig
  readonly transport: TransportConfig
  /** Absolute path of the profile's DuckDB file. */
  readonly duckdbPath: string
  readonly duckdbReadonly: boolean
  /** The providers the configuration was checked with (`LoadConfigOptions.providers`). */
  readonly providers?: ProviderRegistry | undefined
}

function readYaml(path: string): unknown {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (cause) {
    throw new ConfigError(`Cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`)
  }
  try {
    return parseYaml(text) ?? {}
  } catch (cause) {
    throw new ConfigError(`${path} is not valid YAML: ${(cause as Error).message}`)
  }
}

function asObject(value: unknown, path: string, source: string): Record<string, unknown> {
  if (value === undefined || value === null) return {}
  if (typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>
  throw new ConfigError(`${source}: ${path}: expected object`)
}

/** Reads and validates `mxcp-site.yml`. */
export function loadSiteConfig(projectDir: string): { site: SiteConfig; sitePath: string } {
  const sitePath = join(projectDir, 'mxcp-site.yml')
  if (!existsSync(sitePath))
    throw new ConfigError(`No mxcp-site.yml in ${projectDir}: is this an MXCP project folder?`)
  const site = validateWithSchema<SiteConfig>(SiteConfigSchema, readYaml(sitePath), '', sitePath)
  return { site, sitePath }
}

/** "the projects there are: a, b" (or "there are none"), for a fail-closed error. */
function existing(what: string, entries: Record<string, unknown>): string {
  const names = Object.keys(entries)
  return names.length === 0 ? `it has no ${what}` : `the ${what} there are: ${names.join(', ')}`
}

/**
 * Parses a user config document for one project and profile: interpolates `${VAR}` in the
 * active profile and the top-level keys only (inactive profiles may name unset variables), then
 * validates the `auth` block and `transport`.
 */
export function parseUserConfig(
  document: unknown,
  selection: {
    project: string
    profile: string
    env: Readonly<Record<string, string | undefined>>
    source: string
    /** Where the profile name came from (`--profile`, `MXCP_PROFILE`, mxcp-site.yml), for errors. */
    profileSource?: string | undefined
    /** The identity providers `auth.provider` may name (see `LoadConfigOptions.providers`). */
    providers?: ProviderRegistry | undefined
  },
): { auth: AuthConfig; transport: TransportConfig } {
  const { project, profile, env, source } = selection
  const root = asObject(document, '', source)
  const allowed = new Set(['mxcp', 'projects', 'transport'])
  const unknown = Object.keys(root).filter((key) => !allowed.has(key))
  if (unknown.length > 0)
    throw ConfigError.many(
      source,
      unknown.map((key) => `${key}: unknown key`),
    )

  const projects = asObject(root['projects'], 'projects', source)
  // Fail closed (ARCHITECTURE invariant 11): a project or profile the user config does not hold is
  // an error naming what exists, never a silent fall-back to auth `none`.
  if (!Object.hasOwn(projects, project))
    throw new ConfigError(
      `${source}: the project "${project}" (mxcp-site.yml) is not under projects; ${existing('projects', projects)}`,
    )
  const profiles = asObject(
    asObject(projects[project], `projects.${project}`, source)['profiles'],
    `projects.${project}.profiles`,
    source,
  )
  const profilePath = `projects.${project}.profiles.${profile}`
  if (!Object.hasOwn(profiles, profile))
    throw new ConfigError(
      `${source}: the profile "${profile}" (${selection.profileSource ?? 'profile'}) is not under projects.${project}.profiles; ${existing('profiles', profiles)}`,
    )
  const activeProfile = interpolate(asObject(profiles[profile], profilePath, source), env)
  const profileUnknown = Object.keys(activeProfile).filter((key) => key !== 'auth')
  if (profileUnknown.length > 0)
    throw ConfigError.many(
      source,
      profileUnknown.map((key) => `${profilePath}.${key}: unknown key`),
    )

  const auth = validateAuthConfig(activeProfile['auth'], `${profilePath}.auth`, source, selection.providers)
  const transport = validateWithSchema<TransportConfig>(
    TransportConfigSchema,
    interpolate(root['transport'] ?? {}, env),
    'transport',
    source,
  )
  return { auth, transport }
}

/** The user config a missing file stands for: the active project and profile, nothing configured. */
function noUserConfig(project: string, profile: string): Record<string, unknown> {
  return { projects: { [project]: { profiles: { [profile]: {} } } } }
}

/** Loads the site config and the user config, and resolves the active project and profile. */
export function loadConfig(options: LoadConfigOptions = {}): ResolvedConfig {
  const env = options.env ?? process.env
  const home = options.homeDir ?? homedir()
  const projectDir = resolve(options.projectDir ?? '.')
  const { site, sitePath } = loadSiteConfig(projectDir)
  const profileName = options.profile ?? env['MXCP_PROFILE'] ?? site.profile
  const profileSource =
    options.profile !== undefined
      ? '--profile'
      : env['MXCP_PROFILE'] !== undefined
        ? 'MXCP_PROFILE'
        : 'the profile of mxcp-site.yml'

  const explicit = options.userConfigPath ?? env['MXCP_CONFIG']
  const userConfigPath = explicit ? resolve(expandHome(explicit, home)) : join(home, '.mxcp', 'config.yml')
  if (explicit && !existsSync(userConfigPath))
    throw new ConfigError(`The user config ${userConfigPath} (MXCP_CONFIG) does not exist`)
  const present = existsSync(userConfigPath)
  // Only a missing user config file means the guide's default: no authentication (auth `none`).
  const document = present ? readYaml(userConfigPath) : noUserConfig(site.project, profileName)
  const { auth, transport } = parseUserConfig(document, {
    project: site.project,
    profile: profileName,
    env,
    source: present ? userConfigPath : 'user config',
    profileSource,
    providers: options.providers,
  })

  const duckdb = site.profiles[profileName]?.duckdb
  const duckdbFile = expandHome(duckdb?.path ?? join(site.paths.data, `db-${profileName}.duckdb`), home)
  return {
    projectDir,
    sitePath,
    userConfigPath: present ? userConfigPath : undefined,
    site,
    projectName: site.project,
    profileName,
    auth,
    transport,
    duckdbPath:
      duckdbFile === ':memory:' || isAbsolute(duckdbFile) ? duckdbFile : resolve(projectDir, duckdbFile),
    duckdbReadonly: duckdb?.readonly ?? false,
    providers: options.providers,
  }
}
