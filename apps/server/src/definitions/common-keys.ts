import { join, type ProblemList, readBoolean, readString } from './problem-list.js'

/** Keys every MXCP definition may carry besides its own. `tests` are for `mxcp test`, not served. */
export const COMMON_KEYS = ['description', 'parameters', 'tags', 'enabled', 'tests', 'policies'] as const

/**
 * Checks the keys this server reads but does not act on. `policies` are refused rather than
 * ignored: serving a definition without the access rules its author wrote would be unsafe.
 * Returns false when the definition is switched off with `enabled: false`.
 */
export function checkCommonKeys(
  mapping: Record<string, unknown>,
  path: string,
  problems: ProblemList,
): boolean {
  if (mapping['policies'] !== undefined) {
    problems.add(
      join(path, 'policies'),
      'policies are not supported by this server; remove them to serve this',
    )
  }
  const language = readString(mapping, 'language', path, problems, false)
  if (language !== undefined && language !== 'sql') {
    problems.add(join(path, 'language'), `"${language}" is not supported (only sql)`)
  }
  return readBoolean(mapping, 'enabled', path, problems) !== false
}
