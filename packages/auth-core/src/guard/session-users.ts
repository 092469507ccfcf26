import type { FastifyBaseLogger } from 'fastify'
import { allowlistRefusal } from '../access/allowlist.js'
import type { Clock } from '../clock.js'
import type { AuthConfig } from '../config/index.js'
import { UpstreamOAuthError, UpstreamUnavailableError } from '../errors/upstream-error.js'
import type { UpstreamProvider, UpstreamTokens, UpstreamUser } from '../provider.js'
import type { OAuthStore } from '../store/oauth-store.js'
import type { SessionPatch, SessionRecord } from '../store/records.js'
import { SessionEndedError } from './session-ended-error.js'
import { storedUser } from './stored-user.js'
import { DEFAULT_UPSTREAM_REFRESH_SKEW_S, upstreamTokenAction } from './upstream-expiry.js'

/** A session's user and upstream tokens, as the guard hands them to requests. */
export interface SessionUser {
  readonly user: UpstreamUser
  readonly upstream: UpstreamTokens
  /** Until when `user` counts as fresh (epoch ms). */
  readonly freshUntil: number
}

export interface SessionUsersOptions {
  readonly store: OAuthStore
  readonly provider: UpstreamProvider
  readonly clock: Clock
  /** `auth.cache_ttl`, in milliseconds. */
  readonly ttlMs: number
  readonly authorization: AuthConfig['authorization']
  readonly log: FastifyBaseLogger
  /** Refresh an upstream token this long before it expires, ms (default 60 s). */
  readonly refreshSkewMs?: number | undefined
}

/**
 * The user context cache of the guard, one entry per session (per replica, in memory only, for
 * `cache_ttl`, cleared on restart: the guide's words). The store keeps only what a session needs
 * to survive a restart (ids and the sealed upstream tokens, see `storedUser`); the profile lives
 * here. A fresh entry is served as is. Otherwise the session is revalidated, once per session
 * however many requests arrive together (single flight):
 * - an upstream access token within `refreshSkewMs` of its expiry is refreshed first, if the
 *   provider can; one that has expired and cannot be refreshed ends the session;
 * - a user older than the TTL is fetched again from the provider; if the provider says the
 *   upstream token is dead, it is refreshed once and the fetch retried, else the session ends;
 * - the allowlists are checked again, and a user who no longer passes ends the session.
 * A provider that is down fails the request (503) without ending the session.
 */
export class SessionUsers {
  readonly #options: SessionUsersOptions
  readonly #cache = new Map<string, SessionUser>()
  readonly #inflight = new Map<string, Promise<SessionUser>>()

  constructor(options: SessionUsersOptions) {
    this.#options = options
  }

  /** The session's user; throws `SessionEndedError`, an upstream error, or a store error. */
  get(sessionId: string): Promise<SessionUser> {
    const cached = this.#cache.get(sessionId)
    const now = this.#options.clock.now()
    if (cached && cached.freshUntil > now && this.#tokenAction(cached.upstream, now) === 'use')
      return Promise.resolve(cached)
    const running = this.#inflight.get(sessionId)
    if (running) return running
    const revalidation = this.#revalidate(sessionId).finally(() => this.#inflight.delete(sessionId))
    this.#inflight.set(sessionId, revalidation)
    return revalidation
  }

  /** Caches the user the callback just fetched, so the first request does not fetch it again. */
  prime(sessionId: string, user: UpstreamUser, upstream: UpstreamTokens): void {
    this.#cache.set(sessionId, {
      user,
      upstream,
      freshUntil: this.#options.clock.now() + this.#options.ttlMs,
    })
  }

  /** Drops entries that are no longer fresh (called by the periodic sweep). */
  prune(now: number): void {
    for (const [sessionId, entry] of this.#cache) if (entry.freshUntil <= now) this.#cache.delete(sessionId)
  }

  /** Number of cached sessions (for tests and metrics). */
  get size(): number {
    return this.#cache.size
  }

  #canRefresh(upstream: UpstreamTokens): boolean {
    return this.#options.provider.refresh !== undefined && upstream.refreshToken !== undefined
  }

  #tokenAction(upstream: UpstreamTokens, now: number): 'use' | 'refresh' | 'dead' {
    const skewMs = this.#options.refreshSkewMs ?? DEFAULT_UPSTREAM_REFRESH_SKEW_S * 1000
    return upstreamTokenAction(upstream, now, skewMs, this.#canRefresh(upstream))
  }

  async #revalidate(sessionId: string): Promise<SessionUser> {
    const { store, clock, ttlMs } = this.#options
    const session = await store.getSession(sessionId)
    if (!session || session.expiresAt <= clock.now()) {
      this.#cache.delete(sessionId)
      throw new SessionEndedError('The sign-in session has ended')
    }
    const patch: { -readonly [K in keyof SessionPatch]: SessionPatch[K] } = {}
    let upstream = session.upstream
    const action = this.#tokenAction(upstream, clock.now())
    if (action === 'dead') await this.#end(session, 'the upstream token expired and cannot be refreshed')
    if (action === 'refresh') {
      upstream = await this.#refreshAhead(session, upstream)
      if (upstream !== session.upstream) patch.upstream = upstream
    }
    // The stored user holds no profile: only this replica's cache has one, fresh for `cache_ttl`.
    const cached = this.#cache.get(sessionId)
    let user = cached?.user ?? session.user
    let fetchedAt = cached ? cached.freshUntil - ttlMs : 0
    if (fetchedAt + ttlMs <= clock.now()) {
      const fetched = await this.#fetchUser(session, upstream, patch.upstream !== undefined)
      user = fetched.user
      if (fetched.upstream !== upstream) {
        upstream = fetched.upstream
        patch.upstream = upstream
      }
      fetchedAt = clock.now()
      patch.user = storedUser(user)
      patch.userFetchedAt = fetchedAt
      const { provider } = this.#options
      const refusal = allowlistRefusal(
        user,
        this.#options.authorization,
        provider.canonicalId?.bind(provider),
      )
      if (refusal) await this.#end(session, `allowlist: ${refusal}`)
    }
    if (Object.keys(patch).length > 0) await store.updateSession(sessionId, patch)
    const entry: SessionUser = { user, upstream, freshUntil: fetchedAt + ttlMs }
    this.#cache.set(sessionId, entry)
    return entry
  }

  /**
   * Refreshes a token that is about to expire. While it still lives, a provider that cannot be
   * reached costs nothing: the current token is used and the refresh tried again next request.
   */
  async #refreshAhead(session: SessionRecord, upstream: UpstreamTokens): Promise<UpstreamTokens> {
    try {
      return await this.#refresh(session, upstream)
    } catch (error) {
      const alive = upstream.expiresAt !== undefined && upstream.expiresAt > this.#options.clock.now()
      if (!alive || !(error instanceof UpstreamUnavailableError)) throw error
      this.#options.log.warn(
        { provider: this.#options.provider.id, reason: error.message },
        'upstream token refresh ahead of expiry failed; the current token is still used',
      )
      return upstream
    }
  }

  /** The user from the provider; a dead upstream token is refreshed once (if possible) and the call retried. */
  async #fetchUser(
    session: SessionRecord,
    upstream: UpstreamTokens,
    alreadyRefreshed: boolean,
  ): Promise<{ user: UpstreamUser; upstream: UpstreamTokens }> {
    try {
      return { user: await this.#options.provider.userInfo(upstream), upstream }
    } catch (error) {
      if (!(error instanceof UpstreamOAuthError)) throw error
      if (alreadyRefreshed || !this.#canRefresh(upstream))
        return this.#end(session, 'the provider refused the upstream token')
    }
    const refreshed = await this.#refresh(session, upstream)
    try {
      return { user: await this.#options.provider.userInfo(refreshed), upstream: refreshed }
    } catch (error) {
      if (error instanceof UpstreamOAuthError)
        return this.#end(session, 'the provider refused the refreshed upstream token')
      throw error
    }
  }

  /**
   * Refreshes the upstream tokens; a refusal ends the session. With a store that locks sessions
   * across processes (PostgreSQL), the refresh runs under that lock and re-reads the session
   * first: if another replica refreshed meanwhile, its tokens are used and the provider is not
   * called again (a rotating provider would refuse the old refresh token).
   */
  #refresh(session: SessionRecord, upstream: UpstreamTokens): Promise<UpstreamTokens> {
    const { store } = this.#options
    if (!store.withSessionLock) return this.#refreshNow(session, upstream)
    return store.withSessionLock(session.sessionId, async () => {
      const current = await store.getSession(session.sessionId)
      if (!current) return this.#end(session, 'the session was ended elsewhere')
      if (current.upstream.accessToken !== upstream.accessToken) return current.upstream
      return this.#refreshNow(session, upstream)
    })
  }

  async #refreshNow(session: SessionRecord, upstream: UpstreamTokens): Promise<UpstreamTokens> {
    const refresh = this.#options.provider.refresh
    if (!refresh) return this.#end(session, 'the upstream token expired and the provider cannot refresh it')
    try {
      const fresh = await refresh.call(this.#options.provider, upstream)
      // Persist at once: a rotating provider has already invalidated the old refresh token.
      await this.#options.store.updateSession(session.sessionId, { upstream: fresh })
      this.#options.log.info(
        { provider: this.#options.provider.id, userId: session.user.userId },
        'upstream token refreshed',
      )
      return fresh
    } catch (error) {
      if (error instanceof UpstreamOAuthError)
        return this.#end(session, 'the provider refused to refresh the upstream token')
      throw error
    }
  }

  async #end(session: SessionRecord, reason: string): Promise<never> {
    await this.#options.store.deleteSession(session.sessionId)
    this.#cache.delete(session.sessionId)
    this.#options.log.info(
      { provider: this.#options.provider.id, userId: session.user.userId, reason },
      'session ended',
    )
    throw new SessionEndedError('The sign-in session has ended; sign in again')
  }
}
