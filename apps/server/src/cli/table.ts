/**
 * A plain text table: a header row and left-aligned columns two spaces apart, for a terminal.
 * Cells are single-line (newlines and tabs become spaces).
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const clean = (cell: string): string => cell.replace(/[\t\r\n]+/g, ' ')
  const all = [headers, ...rows].map((row) => row.map(clean))
  const widths = headers.map((_header, column) => Math.max(...all.map((row) => (row[column] ?? '').length)))
  return all
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

/** An epoch-ms time as `2026-01-01 12:00:00Z`. */
export function formatTime(epochMs: number): string {
  return new Date(epochMs)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z')
}
