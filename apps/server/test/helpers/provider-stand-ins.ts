import { createServer } from 'node:net'
import { startAtlassianStandIn } from '@mxcp/testing/stand-ins/atlassian'
import { GitHubStandIn } from '@mxcp/testing/stand-ins/github'
import { startGoogleStandIn } from '@mxcp/testing/stand-ins/google'
import { startOidcProviderStandIn } from '@mxcp/testing/stand-ins/oidc-provider'
import { startSalesforceStandIn } from '@mxcp/testing/stand-ins/salesforce'

/** A provider stand-in running, and the `auth.<provider>` block that points the server at it. */
export interface RunningStandIn {
  readonly provider: 'github' | 'atlassian' | 'salesforce' | 'google' | 'keycloak'
  /** The user-facing name the server uses (`GitHub`). */
  readonly label: string
  /** The client secret the stand-in expects. */
  readonly clientSecret: string
  /** `auth.<provider>` with `client_secret` given. */
  block(clientSecret: string): Record<string, unknown>
  close(): Promise<void>
}

/** A port free right now on 127.0.0.1 (for stand-ins that must know our callback URL in advance). */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (address === null || typeof address !== 'object') throw new Error('no port')
  return address.port
}

/** Starts the stand-in of `provider`; `base` is the server's own base URL (for registered callbacks). */
export async function startStandIn(
  provider: RunningStandIn['provider'],
  base: string,
): Promise<RunningStandIn> {
  switch (provider) {
    case 'github': {
      const idp = await new GitHubStandIn({}).start()
      return {
        provider,
        label: 'GitHub',
        clientSecret: idp.clientSecret,
        block: (secret) => ({
          client_id: idp.clientId,
          client_secret: secret,
          scope: 'user:email',
          auth_url: `${idp.url}/login/oauth/authorize`,
          token_url: `${idp.url}/login/oauth/access_token`,
          api_url: idp.apiUrl,
        }),
        close: () => idp.close(),
      }
    }
    case 'atlassian': {
      const idp = await startAtlassianStandIn()
      return {
        provider,
        label: 'Atlassian',
        clientSecret: idp.clientSecret,
        block: (secret) => ({
          client_id: idp.clientId,
          client_secret: secret,
          auth_url: `${idp.url}/authorize`,
          token_url: `${idp.url}/oauth/token`,
          userinfo_url: `${idp.url}/me`,
        }),
        close: () => idp.close(),
      }
    }
    case 'salesforce': {
      const idp = await startSalesforceStandIn()
      return {
        provider,
        label: 'Salesforce',
        clientSecret: idp.clientSecret,
        block: (secret) => ({
          client_id: idp.clientId,
          client_secret: secret,
          auth_url: `${idp.url}/services/oauth2/authorize`,
          token_url: `${idp.url}/services/oauth2/token`,
        }),
        close: () => idp.close(),
      }
    }
    case 'google': {
      const idp = await startGoogleStandIn({ redirectUris: [`${base}/google/callback`] })
      return {
        provider,
        label: 'Google',
        clientSecret: idp.clientSecret,
        block: (secret) => ({
          client_id: idp.clientId,
          client_secret: secret,
          scope: 'openid profile email',
          ...idp.endpoints,
        }),
        close: () => idp.close(),
      }
    }
    case 'keycloak': {
      const idp = await startOidcProviderStandIn({
        realm: 'development',
        redirectUris: [`${base}/keycloak/callback`],
      })
      return {
        provider,
        label: 'Keycloak',
        clientSecret: idp.clientSecret,
        block: (secret) => ({
          client_id: idp.clientId,
          client_secret: secret,
          realm: idp.realm,
          server_url: idp.url,
          scope: 'openid profile email',
          callback_path: '/keycloak/callback',
        }),
        close: () => idp.close(),
      }
    }
  }
}
