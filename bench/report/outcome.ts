/** What became of one section of the run. */
export type Outcome<T> =
  | { readonly status: 'measured'; readonly value: T }
  | { readonly status: 'skipped'; readonly reason: string }
  | { readonly status: 'failed'; readonly reason: string }

/** Runs a section; an error becomes a `failed` outcome (the run goes on with the next section). */
export async function attempt<T>(run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { status: 'measured', value: await run() }
  } catch (error) {
    return { status: 'failed', reason: error instanceof Error ? error.message : String(error) }
  }
}

/** The value of a measured outcome, else undefined. */
export function measuredValue<T>(outcome: Outcome<T> | undefined): T | undefined {
  return outcome?.status === 'measured' ? outcome.value : undefined
}

/** A number found at `path` inside JSON a script printed; undefined if it is not there. */
export function numberAt(value: unknown, ...path: string[]): number | undefined {
  let here: unknown = value
  for (const key of path) {
    if (typeof here !== 'object' || here === null) return undefined
    const fields: Record<string, unknown> = { ...here }
    here = fields[key]
  }
  return typeof here === 'number' && Number.isFinite(here) ? here : undefined
}
