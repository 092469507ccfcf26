/**
 * Compile-time pins of the public types (run by `tsc -p tsconfig.types.json` in `pnpm test`): a
 * change that breaks one of these lines breaks users' code and must be a deliberate, major change.
 * Imports go through the package's own name, as a user's would.
 */
import {
  type AuthConfig,
  BearerRejectedError,
  type loadConfig,
  type MxcpAuthOptions,
  type MxcpGuard,
  mxcpAuth,
  type OAuthStore,
  type ResolvedConfig,
  requireUser,
  StoreUnavailableError,
  UpstreamError,
  UpstreamOAuthError,
  type UpstreamProvider,
  type UserContext,
  validateAuthConfig,
} from '@mxcp/auth-core'
import type { OAuth2Client, UpstreamTokens } from '@mxcp/auth-core/provider-kit'
import type { createUserContext, resolveBaseUrl } from '@mxcp/auth-core/server-kit'
import type { SealedBox, SessionRecord } from '@mxcp/auth-core/store-kit'
import type { FakeClock, storeContract } from '@mxcp/auth-core/testing'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
function expectTrue<T extends true>(): T | undefined {
  return undefined
}

// request.user may be absent; requireUser gives it typed non-null.
expectTrue<Equal<FastifyRequest['user'], UserContext | null>>()
expectTrue<Equal<ReturnType<typeof requireUser>, UserContext>>()
expectTrue<Equal<Parameters<typeof requireUser>, [request: FastifyRequest]>>()

// The guard and its @fastify/auth form are onRequest hooks decorated on the app.
expectTrue<Equal<MxcpGuard, (request: FastifyRequest, reply: FastifyReply) => Promise<void>>>()
expectTrue<Equal<FastifyInstance['mxcpGuard'], MxcpGuard>>()
expectTrue<Equal<FastifyInstance['mxcpVerify'], MxcpGuard>>()

// The options: auth required, everything else optional.
expectTrue<Equal<MxcpAuthOptions['auth'], AuthConfig>>()
expectTrue<Equal<MxcpAuthOptions['provider'], UpstreamProvider | undefined>>()
expectTrue<Equal<MxcpAuthOptions['store'], OAuthStore | undefined>>()
expectTrue<Equal<MxcpAuthOptions['prefix'], string | undefined>>()
expectTrue<Equal<MxcpAuthOptions['mcpPath'], string | undefined>>()

async function registration(): Promise<void> {
  const app = Fastify()
  const auth = validateAuthConfig({ provider: 'none' })
  await app.register(mxcpAuth, { auth })
  await app.register(mxcpAuth, { auth, prefix: '/oauth', mcpPath: '/mcp' })
  // @ts-expect-error the auth block is required
  await app.register(mxcpAuth, { prefix: '/oauth' })
  app.get('/me', { onRequest: app.mxcpGuard }, async (request) => requireUser(request).username)
}
void registration

// The configuration loader.
expectTrue<Equal<ReturnType<typeof loadConfig>, ResolvedConfig>>()
expectTrue<Equal<ResolvedConfig['auth'], AuthConfig>>()

// The caller.
expectTrue<Equal<UserContext['userId'], string>>()
expectTrue<Equal<UserContext['email'], string | undefined>>()
expectTrue<Equal<UserContext['scopes'], readonly string[]>>()
expectTrue<Equal<UserContext['upstreamToken'], string | undefined>>()

// Stores: the contract's shape.
expectTrue<Equal<Awaited<ReturnType<OAuthStore['getSession']>>, SessionRecord | undefined>>()
expectTrue<Equal<ReturnType<OAuthStore['close']>, Promise<void>>>()

// Errors: is() narrows to the class it is called on, subclasses included.
function narrowing(error: unknown): void {
  if (StoreUnavailableError.is(error)) expectTrue<Equal<typeof error, StoreUnavailableError>>()
  if (UpstreamError.is(error)) expectTrue<Equal<typeof error, UpstreamError>>()
  if (UpstreamOAuthError.is(error)) {
    expectTrue<Equal<typeof error, UpstreamOAuthError>>()
    expectTrue<Equal<typeof error.code, string>>()
  }
  if (BearerRejectedError.is(error)) expectTrue<Equal<typeof error.statusCode, 401 | 403 | 503>>()
}
void narrowing

// The subpaths carry what the root does not.
expectTrue<Equal<InstanceType<typeof FakeClock>['now'], () => number>>()
expectTrue<Equal<typeof storeContract extends (...args: never[]) => unknown ? true : false, true>>()
expectTrue<Equal<UpstreamTokens['accessToken'], string>>()
export type Kits = [OAuth2Client, SealedBox, typeof createUserContext, typeof resolveBaseUrl]

// What the root does not export (each has its subpath).
// @ts-expect-error FakeClock is for tests: @mxcp/auth-core/testing
export type NotInRoot1 = typeof import('@mxcp/auth-core').FakeClock
// @ts-expect-error the record codec is for store authors: @mxcp/auth-core/store-kit
export type NotInRoot2 = typeof import('@mxcp/auth-core').rowToToken
// @ts-expect-error the OAuth 2.0 client is for provider authors: @mxcp/auth-core/provider-kit
export type NotInRoot3 = typeof import('@mxcp/auth-core').OAuth2Client
// @ts-expect-error the URL rules are for servers built around the plugin: @mxcp/auth-core/server-kit
export type NotInRoot4 = typeof import('@mxcp/auth-core').resolveBaseUrl
