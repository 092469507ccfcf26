/** One HTTP endpoint under load, with the exact request it gets. */
export interface LoadTarget {
  readonly key: string
  readonly url: string
  readonly method: 'GET' | 'POST'
  readonly headers: Readonly<Record<string, string>>
  readonly body?: string
  /**
   * Replace `[<id>]` in the body with a fresh id per request (autocannon's `idReplacement`), so
   * that concurrent JSON-RPC requests on one MCP session never share an id.
   */
  readonly idReplacement?: boolean
  /** A file of bearer tokens, one per line, sent in turn (`authorization: Bearer …`). */
  readonly tokensFile?: string
  /** The status every answer must have (default: any 2xx). */
  readonly expectedStatus?: number
  /** The server's process id: its CPU time is read around each step (Linux `/proc`). */
  readonly pid?: number
}

/** One autocannon run against one target: for `seconds`, or until `amount` requests. */
export interface LoadStep {
  readonly target: string
  readonly seconds?: number
  readonly amount?: number
  /** With `amount`: stop early (between runs of 10 000 requests) once this much time has passed. */
  readonly maxSeconds?: number
  /** False for a warm-up: run, but leave it out of the results. */
  readonly record: boolean
  /** Echoed in the step's result: which figure the step belongs to. */
  readonly label?: string
  /** Connections of this step (default: the plan's). */
  readonly connections?: number
}

/** What the load worker does, in order, in its one process. */
export interface LoadPlan {
  readonly connections: number
  readonly targets: readonly LoadTarget[]
  readonly steps: readonly LoadStep[]
}

/** The figures of one recorded step. */
export interface StepResult {
  readonly target: string
  readonly label?: string
  /** The connections the step ran with. */
  readonly connections: number
  readonly seconds: number
  /** Answers with the expected status (2xx unless the target says otherwise): the only ones that count. */
  readonly ok: number
  /** Anything else: other answers, connection errors, timeouts. A measured step must have none. */
  readonly failed: number
  readonly p50Ms: number
  readonly p99Ms: number
  /** CPU time the server process used during the step (user + system), when its pid is known. */
  readonly serverCpuMs?: number
}

/** What the load worker prints, as one JSON line. */
export interface LoadReport {
  readonly steps: readonly StepResult[]
}
