import { InvalidTargetError } from '../../errors/oauth-error.js'
import type { ParamReader } from '../../http/params.js'
import { isSameResource } from '../../oauth/resource.js'

/** RFC 8707 §2.2: a `resource` at the token endpoint, when sent, must be our MCP URL. */
export function checkTokenResource(params: ParamReader, canonical: string): void {
  const resource = params.optional('resource')
  if (resource !== undefined && !isSameResource(resource, canonical)) {
    throw new InvalidTargetError(`This server only issues tokens for ${canonical}`)
  }
}
