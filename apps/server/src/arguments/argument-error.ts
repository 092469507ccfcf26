/** Arguments that do not match the declared parameters; the message is safe to show the caller. */
export class ArgumentError extends Error {
  readonly problems: readonly string[]

  constructor(problems: readonly string[]) {
    super(`Invalid arguments: ${problems.join('; ')}`)
    this.name = 'ArgumentError'
    this.problems = problems
  }
}
