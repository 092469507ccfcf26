import { UpstreamUnavailableError } from '../../errors/upstream-error.js'

/** The provider did not finish a sign-in within `auth.sign_in_timeout`. */
export class SignInDeadlineError extends UpstreamUnavailableError {}

/**
 * Bounds the provider's side of one sign-in (code exchange, user, emails, …) as a whole: each call
 * has its own timeout, but three slow calls in a row would still keep a user waiting for half a
 * minute. Wall-clock time, as a user experiences it. The work left running is abandoned; its
 * result is never used.
 */
export async function withinSignInDeadline<T>(
  work: Promise<T>,
  provider: string,
  seconds: number,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new SignInDeadlineError(provider, `${provider} did not complete the sign-in within ${seconds} s`),
        ),
      seconds * 1000,
    )
    timer.unref()
  })
  try {
    return await Promise.race([work, deadline])
  } finally {
    clearTimeout(timer)
    // An abandoned call that fails later must not surface as an unhandled rejection.
    work.catch(() => {})
  }
}
