import {
  defineProvider,
  type OidcClient,
  oidcOptions,
  oidcProviderBehaviour,
  oidcProviderClient,
  oidcRequired,
  type ProviderBehaviour,
  type ProviderConfig,
  type ProviderRuntimeOptions,
  type ProviderSettings,
  secureEndpointUrl,
  Type,
  UpstreamResponseError,
} from '@mxcp/auth-core/provider-kit'

export const KEYCLOAK_DEFAULT_SCOPE = 'openid profile email'
/**
 * Keycloak's username (`preferred_username`) is unique within a realm, as the MXCP guide expects;
 * turn off "Edit username" (Realm settings → Login) so users cannot change theirs.
 */
export const KEYCLOAK_DEFAULT_USERNAME_CLAIM = 'preferred_username'

/** The `auth.provider` value. */
export const id = 'keycloak'

/** The options of the Keycloak provider (`auth.keycloak`). `server_url` is the base URL without the legacy `/auth` suffix. */
export const KeycloakOptionsSchema = Type.Object({
  ...oidcOptions({ scope: KEYCLOAK_DEFAULT_SCOPE }),
  realm: Type.Optional(Type.String()),
  serverUrl: Type.Optional(Type.String()),
})

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []
}

function rolesOf(value: unknown): string[] {
  return typeof value === 'object' && value !== null ? strings((value as { roles?: unknown }).roles) : []
}

/**
 * The claims of an ID token we already verified (at the code exchange or refresh) and kept; `{}`
 * without one or for anything that is not a JWT.
 */
function idTokenPayload(idToken: string | undefined): Readonly<Record<string, unknown>> {
  const payload = idToken?.split('.')[1]
  if (!payload) return {}
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

/**
 * Groups and roles from Keycloak's claims (in the ID token and user info when the mappers say so;
 * see the README): `groups` (the "Group Membership" mapper; full paths such as `/admins` unless
 * "Full group path" is off), realm roles from `realm_access.roles`, and client roles from
 * `resource_access.<client>.roles` as `<client>:<role>` (the "realm roles" and "client roles"
 * mappers of the `roles` client scope, with "Add to userinfo" on).
 */
export function keycloakMemberships(claims: Readonly<Record<string, unknown>>): {
  groups: string[]
  roles: string[]
} {
  const roles = rolesOf(claims['realm_access'])
  const resources = claims['resource_access']
  if (typeof resources === 'object' && resources !== null) {
    for (const [client, access] of Object.entries(resources)) {
      for (const role of rolesOf(access)) roles.push(`${client}:${role}`)
    }
  }
  return { groups: strings(claims['groups']), roles }
}

/**
 * The realm's issuer: `{server_url}/realms/{realm}` (Keycloak 17+, without the old `/auth`). Its
 * discovery document lists the endpoints under `…/protocol/openid-connect/` (auth, token,
 * userinfo, revoke, certs).
 */
export function keycloakIssuer(serverUrl: string, realm: string): string {
  return `${serverUrl.replace(/\/+$/, '')}/realms/${encodeURIComponent(realm)}`
}

/**
 * Keycloak as an upstream identity provider: the shared OpenID Connect client on the realm's
 * issuer (discovery, PKCE S256, nonce, ID token checked against the realm keys, user info,
 * refresh, revocation). A realm that does not exist is reported as the configuration error it is.
 */
function createKeycloak(
  options: ProviderSettings<typeof KeycloakOptionsSchema>,
  runtime: ProviderRuntimeOptions,
): ProviderBehaviour {
  const serverUrl = secureEndpointUrl('keycloak.server_url', options.serverUrl ?? '')
  const realm = options.realm ?? ''
  const usernameClaim = options.usernameClaim ?? KEYCLOAK_DEFAULT_USERNAME_CLAIM
  // Without `openid` Keycloak answers as a plain OAuth server: no ID token, no user info.
  const client = oidcProviderClient(id, keycloakIssuer(serverUrl, realm), options, runtime)

  /** Discovery first: Keycloak answers 404 there for a realm it does not have. */
  const discovered = async (): Promise<OidcClient> => {
    try {
      await client.metadata()
      return client
    } catch (error) {
      if (!(error instanceof UpstreamResponseError) || error.status !== 404) throw error
      const hint = /\/auth\/?$/.test(serverUrl) ? '; server_url must not end in /auth (Keycloak 17+)' : ''
      throw new UpstreamResponseError(
        id,
        `Keycloak realm "${realm}" was not found at ${serverUrl} (404): check keycloak.realm and keycloak.server_url${hint}`,
        404,
        { cause: error },
      )
    }
  }

  // Keycloak's username is `preferred_username`; a `groups` mapper, if set up, gives the groups.
  return oidcProviderBehaviour(id, discovered, usernameClaim, (user, claims, tokens) => {
    // Roles and groups from user info, and from the ID token (verified when it was issued to
    // us) for mappers set to "Add to ID token" only.
    const fromUserInfo = keycloakMemberships(claims)
    const fromIdToken = keycloakMemberships(idTokenPayload(tokens.idToken))
    return {
      ...user,
      groups: [...new Set([...fromUserInfo.groups, ...fromIdToken.groups])],
      roles: [...new Set([...fromUserInfo.roles, ...fromIdToken.roles])],
    }
  })
}

/** The `keycloak` provider, registered under its id. */
export const keycloak = defineProvider({
  id,
  label: 'Keycloak',
  schema: KeycloakOptionsSchema,
  required: oidcRequired('clientId', 'clientSecret', 'realm', 'serverUrl'),
  create: createKeycloak,
})

// The import makes the module known to the compiler when it reads core's declarations (dist).
import type {} from '@mxcp/auth-core'

declare module '@mxcp/auth-core' {
  interface ProviderBlocks {
    /** `auth.keycloak` (`@mxcp/provider-keycloak`). */
    keycloak?: ProviderConfig<typeof KeycloakOptionsSchema> | undefined
  }
}
