/** A pino-shaped logger that keeps what it was given. */
export class RecordingLogger {
  readonly warnings: { obj: object; msg: string | undefined }[] = []
  readonly infos: { obj: object; msg: string | undefined }[] = []

  warn(obj: object, msg?: string): void {
    this.warnings.push({ obj, msg })
  }

  info(obj: object, msg?: string): void {
    this.infos.push({ obj, msg })
  }

  /** Everything logged, as one string, to search for secrets. */
  text(): string {
    return JSON.stringify([this.warnings, this.infos])
  }
}
