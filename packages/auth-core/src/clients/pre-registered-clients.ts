import type { ClientConfig } from '../config/index.js'
import { sha256 } from '../crypto.js'
import { redirectUriProblem } from '../oauth/redirect-uri.js'
import { parseScope } from '../oauth/scopes.js'
import type { ClientRecord } from '../store/records.js'

/**
 * Turns `auth.clients` into client records kept in memory (the guide: pre-registered clients are
 * never persisted). Secrets are hashed at once. Refuses duplicate ids and redirect URIs that would
 * be refused at `/register` (plain http off loopback, fragments, wildcards).
 */
export function preRegisteredClients(configs: readonly ClientConfig[]): Map<string, ClientRecord> {
  const clients = new Map<string, ClientRecord>()
  configs.forEach((config, index) => {
    const where = `auth.clients[${index}]`
    if (clients.has(config.client_id))
      throw new Error(`${where}: client_id "${config.client_id}" is listed twice`)
    config.redirect_uris.forEach((uri, uriIndex) => {
      const problem = redirectUriProblem(uri)
      if (problem) throw new Error(`${where}.redirect_uris[${uriIndex}] "${uri}" ${problem}`)
    })
    if (config.redirect_uris.length === 0) throw new Error(`${where}.redirect_uris must not be empty`)
    let scopes: string[]
    try {
      scopes = parseScope(config.scopes.join(' '))
    } catch {
      throw new Error(`${where}.scopes contains a malformed scope`)
    }
    const secret = config.client_secret
    if (secret !== undefined && secret.trim() === '') throw new Error(`${where}.client_secret is empty`)
    clients.set(config.client_id, {
      clientId: config.client_id,
      clientSecretHash: secret === undefined ? undefined : sha256(secret),
      clientName: config.name,
      redirectUris: [...config.redirect_uris],
      grantTypes: [...config.grant_types],
      responseTypes: ['code'],
      scopes,
      tokenEndpointAuthMethod: secret === undefined ? 'none' : 'client_secret_basic',
      issuedAt: 0,
      secretExpiresAt: 0,
      metadata: {},
    })
  })
  return clients
}
