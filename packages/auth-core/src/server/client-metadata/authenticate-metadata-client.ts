import { InvalidClientError } from '../../errors/oauth-error.js'
import type { ClientRecord } from '../../store/records.js'
import { verifyClientAssertion } from './client-assertion.js'
import type { ClientMetadataResolver } from './client-metadata-resolver.js'

/** What a metadata-document client presented at `/token` or `/revoke`. */
export interface MetadataClientCredentials {
  readonly clientId: string
  readonly secret: string | undefined
  /** The `client_assertion` of `private_key_jwt` (RFC 7523 §2.2). */
  readonly assertion?: string | undefined
}

/**
 * Authenticates a client known by its metadata document (RFC 6749 §2.3): it never has a secret;
 * a `none` client sends only its client_id; a `private_key_jwt` client must send a valid, unused
 * assertion signed with one of its published keys. Every failure is 401 `invalid_client`.
 */
export async function authenticateMetadataClient(
  resolver: ClientMetadataResolver,
  credentials: MetadataClientCredentials,
  audiences: readonly string[],
  now: number,
): Promise<ClientRecord> {
  const client = await resolver.resolve(credentials.clientId)
  if (credentials.secret !== undefined)
    throw new InvalidClientError('A client identified by a metadata document has no client secret')
  if (client.authMethod === 'none') {
    if (credentials.assertion !== undefined)
      throw new InvalidClientError(
        'This client is public (its metadata document says none); send no client_assertion',
      )
    return client.record
  }
  if (credentials.assertion === undefined)
    throw new InvalidClientError('This client must authenticate with private_key_jwt (client_assertion)')
  await verifyClientAssertion({
    client,
    assertion: credentials.assertion,
    audiences,
    now,
    keySet: () => resolver.keySet(client),
    replays: resolver.replays,
  })
  return client.record
}
