import type { Machine } from '../harness/machine.js'
import type { Bar, Figure } from './figures.js'

function barText(bar: Bar | undefined): string {
  return bar ? `${bar.op} ${bar.value}` : '—'
}

function metText(figure: Figure): string {
  if (figure.met === undefined) return figure.ratio === undefined ? 'not measured' : '—'
  return figure.met ? 'yes' : `NO, ${figure.shortBy ?? ''}`
}

function ratioText(figure: Figure): string {
  return figure.ratio === undefined ? '—' : String(figure.ratio)
}

/** The machine, as one line. */
export function machineLine(machine: Machine, loadAverageAtEnd: number): string {
  return (
    `${machine.nproc} CPUs (nproc), ${machine.cpuModel}, Node.js ${machine.node}, ${machine.os}, ` +
    `${machine.memoryGb} GB; load average ${machine.loadAverageAtStart} at start, ${loadAverageAtEnd} at the end`
  )
}

/** The table for a terminal: one line per figure, then what each ratio was computed from. */
export function textTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [f.id, f.title, ratioText(f), barText(f.bar), metText(f)])
  const header = ['#', 'Figure (ratios from this run)', 'Ratio', 'Bar', 'Met']
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
  )
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd()
  const table = [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)]
  const details = figures.map((f) => `${f.id.padEnd(4)}${f.detail}`)
  return [...table, '', 'Measured:', ...details, '', 'What differs:', ...notes(figures)].join('\n')
}

/** The notes of the figures, each once, naming the figures it applies to. */
export function notes(figures: readonly Figure[]): string[] {
  const byNote = new Map<string, string[]>()
  for (const f of figures) if (f.note !== undefined) byNote.set(f.note, [...(byNote.get(f.note) ?? []), f.id])
  return [...byNote].map(([note, ids]) => `${ids.join(', ')}: ${note}`)
}

/**
 * The same table in Markdown, for bench/README.md, with its columns padded as Biome's Markdown
 * formatter lays them out (so that `biome check` passes on the README as written).
 */
export function markdownTable(figures: readonly Figure[]): string {
  const cell = (text: string): string => text.replaceAll('|', '\\|')
  const header = ['#', 'Figure', 'Ratio', 'Bar', 'Met', 'Measured (this machine, this run)']
  const rows = figures.map((f) =>
    [f.id, f.title, ratioText(f), barText(f.bar), metText(f), f.detail].map(cell),
  )
  const widths = header.map((title, column) =>
    Math.max(3, title.length, ...rows.map((row) => row[column]?.length ?? 0)),
  )
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((text, column) => text.padEnd(widths[column] ?? 0)).join(' | ')} |`
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n')
}
