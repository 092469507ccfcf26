import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs'
import { dirname } from 'node:path'
import type { FastifyBaseLogger } from 'fastify'
import type { AuditRecord } from './audit-record.js'

/** Bytes queued for the file beyond which new lines are dropped (and counted) rather than held. */
export const MAX_QUEUED_BYTES = 8 * 1024 * 1024
/** After a failed write, how long before the file is opened again. */
export const REOPEN_AFTER_MS = 5_000

/**
 * Appends audit lines to a file without ever making a request wait: `write()` hands the line to
 * a stream and returns. A file that cannot be written (a missing folder, a full disk) is logged
 * at warn, once per failure, and lines are dropped (counted) until it can be opened again; the
 * server goes on. The file is created `0600` in a folder created `0700`.
 */
export class AuditWriter {
  readonly path: string
  readonly #log: FastifyBaseLogger
  readonly #now: () => number
  #stream: WriteStream | undefined
  #failedAt = 0
  #dropped = 0

  constructor(path: string, log: FastifyBaseLogger, now: () => number = Date.now) {
    this.path = path
    this.#log = log
    this.#now = now
    this.#open()
  }

  /** Lines dropped so far (queue full, or the file failing). */
  get dropped(): number {
    return this.#dropped
  }

  /** Queues one line; never throws, never waits. */
  write(record: AuditRecord): void {
    const stream = this.#stream ?? this.#reopen()
    if (!stream || stream.writableLength > MAX_QUEUED_BYTES) {
      this.#dropped++
      return
    }
    stream.write(`${JSON.stringify(record)}\n`)
  }

  /** Writes what is queued and closes the file. */
  close(): Promise<void> {
    const stream = this.#stream
    this.#stream = undefined
    if (!stream) return Promise.resolve()
    return new Promise((resolve) => stream.end(() => resolve()))
  }

  #reopen(): WriteStream | undefined {
    if (this.#now() - this.#failedAt < REOPEN_AFTER_MS) return undefined
    return this.#open()
  }

  #open(): WriteStream | undefined {
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 })
    } catch (error) {
      this.#fail(error)
      return undefined
    }
    const stream = createWriteStream(this.path, { flags: 'a', mode: 0o600 })
    stream.on('error', (error) => {
      if (this.#stream === stream) this.#stream = undefined
      this.#fail(error)
    })
    this.#stream = stream
    return stream
  }

  #fail(error: unknown): void {
    this.#failedAt = this.#now()
    const code = (error as NodeJS.ErrnoException).code
    this.#log.warn(
      { audit: { path: this.path, code, dropped: this.#dropped } },
      'audit log: writing failed; lines are dropped until the file can be written',
    )
  }
}
