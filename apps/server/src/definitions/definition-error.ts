/**
 * The project's YAML definitions have mistakes. Every problem names the file (relative to the
 * project folder), the key and what is wrong, e.g.
 * `tools/employees.yml: tool.parameters[0].type: unknown type "strng" (expected …)`.
 */
export class DefinitionError extends Error {
  readonly problems: readonly string[]

  constructor(problems: readonly string[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`
    super(`The project's definitions have ${count}:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'DefinitionError'
    this.problems = problems
  }
}
