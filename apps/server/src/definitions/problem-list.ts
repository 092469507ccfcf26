/** Collects problems of one YAML file, each prefixed with the file and the key path. */
export class ProblemList {
  readonly #file: string
  readonly #problems: string[]

  constructor(file: string, problems: string[]) {
    this.#file = file
    this.#problems = problems
  }

  add(path: string, message: string): void {
    this.#problems.push(path ? `${this.#file}: ${path}: ${message}` : `${this.#file}: ${message}`)
  }

  get count(): number {
    return this.#problems.length
  }
}

/** A YAML mapping as a record, or undefined (with a problem) for anything else. */
export function asMapping(
  value: unknown,
  path: string,
  problems: ProblemList,
): Record<string, unknown> | undefined {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return value as Record<string, unknown>
  }
  problems.add(path, value === undefined || value === null ? 'missing' : 'expected a mapping')
  return undefined
}

/** Reports every key of `mapping` that is not in `allowed`. */
export function rejectUnknownKeys(
  mapping: Record<string, unknown>,
  allowed: ReadonlySet<string>,
  path: string,
  problems: ProblemList,
): void {
  for (const key of Object.keys(mapping)) {
    if (!allowed.has(key)) problems.add(join(path, key), 'unknown key')
  }
}

/** `tool` + `name` → `tool.name`. */
export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`
  return path ? `${path}.${key}` : key
}

/** A string field; undefined when absent and optional. */
export function readString(
  mapping: Record<string, unknown>,
  key: string,
  path: string,
  problems: ProblemList,
  required: boolean,
): string | undefined {
  const value = mapping[key]
  if (value === undefined || value === null) {
    if (required) problems.add(join(path, key), 'missing')
    return undefined
  }
  if (typeof value !== 'string' || (required && value.trim() === '')) {
    problems.add(join(path, key), 'expected a non-empty string')
    return undefined
  }
  return value
}

/** A finite number field; undefined when absent. */
export function readNumber(
  mapping: Record<string, unknown>,
  key: string,
  path: string,
  problems: ProblemList,
  integer = false,
): number | undefined {
  const value = mapping[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    problems.add(join(path, key), integer ? 'expected an integer' : 'expected a number')
    return undefined
  }
  return value
}

/** A boolean field; undefined when absent. */
export function readBoolean(
  mapping: Record<string, unknown>,
  key: string,
  path: string,
  problems: ProblemList,
): boolean | undefined {
  const value = mapping[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'boolean') {
    problems.add(join(path, key), 'expected true or false')
    return undefined
  }
  return value
}

/** A list field; undefined when absent. */
export function readList(
  mapping: Record<string, unknown>,
  key: string,
  path: string,
  problems: ProblemList,
): readonly unknown[] | undefined {
  const value = mapping[key]
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value)) {
    problems.add(join(path, key), 'expected a list')
    return undefined
  }
  return value
}
