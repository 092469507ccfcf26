import type { DuckDBConnection } from '@duckdb/node-api'

/** Texts remembered at most; past it the memory starts over (callers may send endless texts). */
const MAX_REMEMBERED = 1024

/**
 * Says whether SQL texts hold nothing but SELECT statements, by DuckDB's parser:
 * `json_serialize_sql` parses a text and serialises it only when every statement in it is a
 * SELECT. Nothing is bound or run (binding a hostile text could already evaluate a function
 * with side effects in a table function's argument). Answers are remembered per text, so an
 * operator's tool is judged once.
 */
export class QueryTexts {
  readonly #known = new Map<string, boolean>()

  async onlyQueries(connection: DuckDBConnection, texts: readonly string[]): Promise<boolean> {
    for (const text of texts) {
      let queries = this.#known.get(text)
      if (queries === undefined) {
        queries = await classify(connection, text)
        if (this.#known.size >= MAX_REMEMBERED) this.#known.clear()
        this.#known.set(text, queries)
      }
      if (!queries) return false
    }
    return true
  }
}

async function classify(connection: DuckDBConnection, text: string): Promise<boolean> {
  try {
    const reader = await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [text])
    const tree: unknown = JSON.parse(String(reader.getRows()[0]?.[0]))
    return typeof tree === 'object' && tree !== null && (tree as { error?: unknown }).error === false
  } catch {
    return false
  }
}
