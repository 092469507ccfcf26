/**
 * The load balancer, played on the client side: the replicas share one external URL (`base_url`),
 * and every request the bench sends to it is rewritten to the next replica in turn, as a
 * round-robin layer-7 balancer in front of them would do.
 *
 * One exception, until `mxcp serve` gives its replicas a shared signing secret for the consent
 * page (see the persistence-postgres README): a consent form is posted back to the replica that
 * served it, as a balancer with cookie stickiness would send it.
 */
export class RoundRobin {
  readonly #origins: readonly string[]
  #next = 0

  constructor(origins: readonly string[]) {
    this.#origins = origins
  }

  get size(): number {
    return this.#origins.length
  }

  pick(): string {
    const origin = this.#origins[this.#next % this.#origins.length]
    this.#next++
    if (!origin) throw new Error('no replica')
    return origin
  }
}

/** A `fetch` for one browser: requests to `base` go to the replica the balancer picks. */
export function balancedFetch(base: string, balancer: RoundRobin): typeof fetch {
  let consentOrigin: string | undefined
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    if (url.origin !== base) return fetch(input, init)
    const target = url.pathname === '/consent' && consentOrigin ? consentOrigin : balancer.pick()
    if (url.pathname === '/authorize') consentOrigin = target
    return fetch(new URL(url.pathname + url.search, target), init)
  }
}
