/** What {@link scanSqlPlaceholders} found in a SQL text. */
export interface SqlPlaceholders {
  /** `$name` placeholders, each once, in order of first appearance. */
  readonly named: readonly string[]
  /** `?` or `$1` placeholders: positional, which YAML definitions cannot bind by name. */
  readonly positional: readonly string[]
}

const IDENTIFIER_START = /[A-Za-z_]/
const IDENTIFIER_PART = /[A-Za-z0-9_]/
const DIGIT = /[0-9]/

/** Index just past a quoted run opened at `start` by `quote`, where a doubled quote escapes itself. */
function skipQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1
  while (i < sql.length) {
    const char = sql[i]
    if (backslashEscapes && char === '\\') {
      i += 2
      continue
    }
    if (char === quote) {
      if (sql[i + 1] === quote) {
        i += 2
        continue
      }
      return i + 1
    }
    i++
  }
  return i
}

function readWhile(sql: string, start: number, pattern: RegExp): number {
  let i = start
  while (i < sql.length && pattern.test(sql[i] ?? '')) i++
  return i
}

/**
 * Finds the placeholders of a DuckDB SQL text, skipping string literals (`'…'`, `E'…'`),
 * quoted identifiers (`"…"`), dollar-quoted strings (`$$…$$`, `$tag$…$tag$`) and comments
 * (`-- …`, `/* … *\/`), so that `'$5 off'` is not mistaken for a parameter.
 */
export function scanSqlPlaceholders(sql: string): SqlPlaceholders {
  const named: string[] = []
  const positional: string[] = []
  let i = 0
  while (i < sql.length) {
    const char = sql[i] ?? ''
    const next = sql[i + 1] ?? ''
    if (char === "'") {
      const escapeString = i > 0 && /[eE]/.test(sql[i - 1] ?? '') && !IDENTIFIER_PART.test(sql[i - 2] ?? '')
      i = skipQuoted(sql, i, "'", escapeString)
    } else if (char === '"') {
      i = skipQuoted(sql, i, '"', false)
    } else if (char === '-' && next === '-') {
      const end = sql.indexOf('\n', i)
      i = end === -1 ? sql.length : end + 1
    } else if (char === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2)
      i = end === -1 ? sql.length : end + 2
    } else if (char === '?') {
      positional.push('?')
      i++
    } else if (char === '$' && DIGIT.test(next)) {
      const end = readWhile(sql, i + 1, DIGIT)
      positional.push(sql.slice(i, end))
      i = end
    } else if (char === '$' && (next === '$' || IDENTIFIER_START.test(next))) {
      const end = readWhile(sql, i + 1, IDENTIFIER_PART)
      if (sql[end] === '$') {
        // `$$` or `$tag$`: a dollar-quoted string running to the same tag.
        const tag = sql.slice(i, end + 1)
        const close = sql.indexOf(tag, end + 1)
        i = close === -1 ? sql.length : close + tag.length
      } else {
        const name = sql.slice(i + 1, end)
        if (!named.includes(name)) named.push(name)
        i = end
      }
    } else if (IDENTIFIER_PART.test(char)) {
      // Skip whole words, so `a$b` style identifiers never start a placeholder mid-word.
      i = readWhile(sql, i, /[A-Za-z0-9_$]/)
    } else {
      i++
    }
  }
  return { named, positional }
}
