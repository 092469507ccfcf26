import { ANONYMOUS_USER, ConfigError, type TransportConfig, type UserContext } from '@mxcp/auth-core'
import { createUserContext } from '@mxcp/auth-core/server-kit'

/** The provider name SQL sees (`get_user_provider()`) for the local user of a stdio server. */
export const LOCAL_PROVIDER = 'local'

/**
 * Who calls a stdio server: the local user (MCP authorization spec: over stdio, credentials
 * come from the environment, not from OAuth). Without `transport.stdio.user`, anonymous: the SQL
 * user functions return ''. With it, its fields, and `get_user_external_token()` returns the
 * environment variable `external_token_env` names; a variable named but unset stops start-up.
 */
export function localCaller(
  stdio: TransportConfig['stdio'],
  env: Readonly<Record<string, string | undefined>>,
): UserContext {
  const user = stdio.user
  if (!user) return ANONYMOUS_USER
  let token: string | undefined
  if (user.external_token_env !== undefined) {
    token = env[user.external_token_env]
    if (!token) {
      throw new ConfigError(
        `transport.stdio.user.external_token_env: the environment variable ${user.external_token_env} is not set`,
      )
    }
  }
  return createUserContext(
    {
      userId: user.username,
      username: user.username,
      email: user.email,
      name: user.name,
      provider: LOCAL_PROVIDER,
      scopes: [],
      clientId: 'stdio',
      rawProfile: {},
    },
    token,
  )
}
