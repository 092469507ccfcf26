/** Thrown when a lease ran longer than the pool's query time limit; its query was interrupted. */
export class QueryTimeoutError extends Error {
  override readonly name = 'QueryTimeoutError'
  constructor(limitMs: number) {
    super(`the query ran longer than the time limit of ${limitMs} ms and was interrupted`)
  }
}
