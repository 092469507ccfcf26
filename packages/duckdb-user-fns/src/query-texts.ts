import { type DuckDBConnection, StatementType } from '@duckdb/node-api'

/** Texts remembered at most; past it the memory starts over (callers may send endless texts). */
const MAX_REMEMBERED = 1024

/**
 * Says whether SQL texts hold nothing but SELECT statements, by DuckDB's parser: split into
 * statements, each prepared (bound, never run) and its statement type read. A text that fails
 * to prepare (a statement that needs an earlier one of the same text, say) does not count as
 * queries only. Answers are remembered per text, so an operator's tool is judged once.
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
    const extracted = await connection.extractStatements(text)
    for (let i = 0; i < extracted.count; i++) {
      const prepared = await extracted.prepare(i)
      if (prepared.statementType !== StatementType.SELECT) return false
    }
    return extracted.count > 0
  } catch {
    return false
  }
}
