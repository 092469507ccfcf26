import { InvalidScopeError } from '../errors/oauth-error.js'

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/

/** Splits a `scope` parameter into unique tokens; throws `invalid_scope` on a malformed one. */
export function parseScope(value: string): string[] {
  const tokens = value.split(' ').filter((token) => token !== '')
  for (const token of tokens) {
    if (!SCOPE_TOKEN.test(token)) throw new InvalidScopeError('The scope parameter is malformed')
  }
  return [...new Set(tokens)]
}

/** The `scope` string of a list of scopes. */
export function formatScope(scopes: readonly string[]): string {
  return scopes.join(' ')
}

/** The scopes of `wanted` that `allowed` does not contain. */
export function missingScopes(wanted: readonly string[], allowed: readonly string[]): string[] {
  const have = new Set(allowed)
  return wanted.filter((scope) => !have.has(scope))
}
