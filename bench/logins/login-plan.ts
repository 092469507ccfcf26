/** What the login worker does: steps of complete logins against servers, in order. */
export interface LoginPlan {
  /** Logins in flight at once. */
  readonly concurrency: number
  readonly targets: readonly { readonly key: string; readonly origin: string; readonly pid?: number }[]
  readonly steps: readonly { readonly target: string; readonly seconds: number; readonly record: boolean }[]
}

/** The figures of one recorded step. */
export interface LoginStepResult {
  readonly target: string
  readonly seconds: number
  readonly logins: number
  readonly failures: number
  /** The first failure's message, if any. */
  readonly firstFailure?: string
  readonly serverCpuMs?: number
  /** CPU time of the login worker itself during the step (the client and browser side), ms. */
  readonly workerCpuMs?: number
}

/** What the login worker prints, as one JSON line. */
export interface LoginReport {
  readonly steps: readonly LoginStepResult[]
}
