import { type LookupAddress, type LookupOptions, lookup } from 'node:dns'
import { isPublicAddress } from './address-ranges.js'

/** A host name resolved to an address this server must not fetch from. */
export class ForbiddenAddressError extends Error {
  constructor(hostname: string) {
    super(`${hostname} resolves to a non-public address`)
    this.name = 'ForbiddenAddressError'
  }
}

/** The callback of a `lookup` function as `net.connect` calls it (one address, or all with `options.all`). */
export type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void

/**
 * A `lookup` for `https.request` that refuses a host name when ANY of its addresses is not public
 * (unless `allowPrivate`). The check runs on the very addresses the socket then connects to, so a
 * name cannot pass the check and connect elsewhere (DNS rebinding). Node does not call `lookup`
 * for an IP-literal host: `checkFetchTarget` checks those before the request.
 */
export function guardedLookup(
  allowPrivate: boolean,
): (hostname: string, options: LookupOptions, callback: LookupCallback) => void {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    lookup(hostname, { family: options.family ?? 0, hints: options.hints, all: true }, (error, addresses) => {
      if (error) return callback(error, [])
      if (addresses.length === 0) return callback(new ForbiddenAddressError(hostname), [])
      if (!allowPrivate && addresses.some((entry) => !isPublicAddress(entry.address)))
        return callback(new ForbiddenAddressError(hostname), [])
      if (options.all) return callback(null, addresses)
      const [first] = addresses
      return first
        ? callback(null, first.address, first.family)
        : callback(new ForbiddenAddressError(hostname), [])
    })
  }
}
