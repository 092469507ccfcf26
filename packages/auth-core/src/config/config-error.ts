import { brandError, isInstance } from '../errors/brand.js'
/** A configuration problem: the message is written for the person who edits the file. */
export class ConfigError extends Error {
  /** True for an instance of this class from any copy of `@mxcp/auth-core` (see `errors/brand.ts`). */
  static is<T>(this: abstract new (...args: never[]) => T, value: unknown): value is T {
    // biome-ignore lint/complexity/noThisInStatic: a subclass inherits is() and checks its own class
    return isInstance(this, value)
  }
  /** Every problem found, each starting with the key's full path. */
  readonly problems: readonly string[]

  constructor(message: string, problems: readonly string[] = [message]) {
    super(message)
    this.name = 'ConfigError'
    this.problems = problems
  }

  /** One error listing several problems found in one file. */
  static many(source: string, problems: readonly string[]): ConfigError {
    const first = problems[0] ?? 'invalid'
    if (problems.length === 1) return new ConfigError(`${source}: ${first}`, problems)
    return new ConfigError(
      `${source}: ${problems.length} problems\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      problems,
    )
  }
}

brandError(ConfigError, 'config')
