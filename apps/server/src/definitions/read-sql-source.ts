import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import type { ParameterDefinition, SqlSource } from './definition-types.js'
import { asMapping, join, type ProblemList, readString, rejectUnknownKeys } from './problem-list.js'
import { scanSqlPlaceholders } from './sql-placeholders.js'

const SOURCE_KEYS: ReadonlySet<string> = new Set(['code', 'file'])

function readSqlText(
  source: Record<string, unknown>,
  path: string,
  yamlPath: string,
  problems: ProblemList,
): { sql: string; key: string } | undefined {
  const code = readString(source, 'code', path, problems, false)
  const file = readString(source, 'file', path, problems, false)
  if (code !== undefined && file !== undefined) {
    problems.add(path, 'give either code or file, not both')
    return undefined
  }
  if (code !== undefined) return { sql: code, key: 'code' }
  if (file === undefined) {
    problems.add(path, 'has neither code nor file')
    return undefined
  }
  // `file` is relative to the YAML file that names it, as in MXCP.
  const sqlPath = resolve(dirname(yamlPath), file)
  try {
    return { sql: readFileSync(sqlPath, 'utf8'), key: 'file' }
  } catch (error) {
    problems.add(join(path, 'file'), `cannot read ${file} (${(error as NodeJS.ErrnoException).code})`)
    return undefined
  }
}

/**
 * Reads `source:` (`code:` inline, or `file:` relative to the YAML file) and checks that every
 * `$name` in the SQL is a declared parameter, and that no positional placeholder is used.
 */
export function readSqlSource(
  mapping: Record<string, unknown>,
  path: string,
  yamlPath: string,
  parameters: readonly ParameterDefinition[],
  problems: ProblemList,
): SqlSource | undefined {
  const sourcePath = join(path, 'source')
  if (mapping['source'] === undefined || mapping['source'] === null) {
    problems.add(sourcePath, 'missing (give source.code with SQL, or source.file naming a .sql file)')
    return undefined
  }
  const source = asMapping(mapping['source'], sourcePath, problems)
  if (!source) return undefined
  rejectUnknownKeys(source, SOURCE_KEYS, sourcePath, problems)
  const text = readSqlText(source, sourcePath, yamlPath, problems)
  if (!text) return undefined
  if (text.sql.trim() === '') {
    problems.add(join(sourcePath, text.key), 'the SQL is empty')
    return undefined
  }
  const { named, positional } = scanSqlPlaceholders(text.sql)
  const declared = parameters.map((p) => p.name)
  const before = problems.count
  for (const name of named) {
    if (!declared.includes(name)) {
      const list = declared.length > 0 ? declared.join(', ') : 'none'
      problems.add(join(sourcePath, text.key), `$${name} is not a declared parameter (declared: ${list})`)
    }
  }
  if (positional.length > 0) {
    problems.add(
      join(sourcePath, text.key),
      `positional placeholders (${[...new Set(positional)].join(', ')}) are not supported: use $name`,
    )
  }
  return problems.count === before ? { sql: text.sql, placeholders: named } : undefined
}
