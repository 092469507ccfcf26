/** Where a command reads its environment and writes its output; tests pass their own. */
export interface CommandIo {
  readonly env: Readonly<Record<string, string | undefined>>
  /** Output for the person at the terminal (standard output). */
  out(text: string): void
  /** Problem reports (standard error). */
  err(text: string): void
}

const line = (text: string): string => (text.endsWith('\n') ? text : `${text}\n`)

/** The real process: `process.env`, standard output and standard error (no logger: this is the command's output). */
export const processIo: CommandIo = {
  env: process.env,
  out: (text) => process.stdout.write(line(text)),
  err: (text) => process.stderr.write(line(text)),
}
