import type { UpstreamProvider } from '../../provider.js'

/**
 * The mix-up defence (RFC 9207 §2.4, RFC 9700 §4.4.2): the authorization response must come from
 * the provider we sent the user to. An `iss` that is not exactly the provider's issuer is refused
 * whether or not the provider announced the parameter; a missing one is refused when it announced
 * `authorization_response_iss_parameter_supported`. Providers without an issuer (plain OAuth)
 * are not checked. Returns why the response is refused, or undefined. Runs before the code goes
 * anywhere: a code meant for another provider is never sent to ours.
 */
export async function issuerRefusal(
  provider: UpstreamProvider,
  iss: string | null | undefined,
): Promise<string | undefined> {
  const expected = await provider.authorizationResponseIssuer?.()
  if (!expected) return undefined
  if (iss === null) return 'the iss parameter is malformed'
  if (iss === undefined)
    return expected.required
      ? 'the iss parameter is missing, and the provider promised to send it'
      : undefined
  return iss === expected.issuer ? undefined : 'the iss parameter names another issuer'
}
