import type { FastifyBaseLogger } from 'fastify'
import { allowlistRefusal } from '../access/allowlist.js'
import type { Clock } from '../clock.js'
import type { AuthConfig } from '../config/index.js'
import { UpstreamOAuthError } from '../errors/upstream-error.js'
import { UpstreamIdentityChangedError } from '../identity/identity-changed-error.js'
import type { UpstreamProvider, UpstreamTokens, UpstreamUser } from '../provider.js'
import type { OAuthStore } from '../store/oauth-store.js'
import type { SessionPatch, SessionRecord } from '../store/records.js'
import { identityChange } from './identity-pin.js'
import { isOutage, ProviderHealth, ProviderOutageError, STALE_ANSWER_WAIT_MS } from './provider-health.js'
import { saveWithRetry } from './save-with-retry.js'
import { SessionEndedError } from './session-ended-error.js'

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
  /** `auth.stale_cache_ttl`, in milliseconds: how long past `ttlMs` a profile may serve during an outage. */
  readonly staleMs?: number | undefined
  readonly authorization: AuthConfig['authorization']
  readonly log: FastifyBaseLogger
}

/**
 * The user context cache of the guard, one entry per session (per replica, in memory; the guide's
 * `cache_ttl`). A fresh entry is served as is. Otherwise the session is revalidated, once per
 * session however many requests arrive together (single flight):
 * - an upstream access token past its expiry is refreshed first, if the provider can;
 * - a user older than the TTL is fetched again from the provider; if the provider says the
 *   upstream token is dead, it is refreshed once and the fetch retried, else the session ends;
 * - the allowlists are checked again, and a user who no longer passes ends the session.
 * Only an explicit refusal by the provider ends a session. While the provider cannot answer
 * (network error, timeout, 5xx, 429), requests are served with the last known profile for
 * `staleMs` past its freshness, then answered 503; one probe at a time goes upstream meanwhile
 * (`ProviderHealth`), and no request waits on a revalidation longer than `STALE_ANSWER_WAIT_MS`
 * when it has a profile it may serve.
 */
export class SessionUsers {
  readonly #options: SessionUsersOptions
  readonly #cache = new Map<string, SessionUser>()
  readonly #inflight = new Map<string, Promise<SessionUser>>()
  readonly #health = new ProviderHealth()
  /**
   * Upstream tokens a provider issued that could not be saved yet (the database failed right
   * after a rotating provider answered): used and saved first on the session's next revalidation.
   */
  readonly #unsaved = new Map<string, UpstreamTokens>()

  constructor(options: SessionUsersOptions) {
    this.#options = options
  }

  /** The session's user; throws `SessionEndedError`, an upstream error, or a store error. */
  get(sessionId: string): Promise<SessionUser> {
    const cached = this.#cache.get(sessionId)
    const now = this.#options.clock.now()
    if (cached && cached.freshUntil > now && !this.#needsRefresh(cached.upstream, now))
      return Promise.resolve(cached)
    const stale = cached && this.#servable(cached.freshUntil, now) ? cached : undefined
    if (this.#health.failing) {
      this.#health.tryProbe(now, () => this.#revalidateOnce(sessionId))
      return stale ? Promise.resolve(stale) : this.#lastKnown(sessionId)
    }
    const revalidation = this.#revalidateOnce(sessionId)
    if (stale) return preferStale(revalidation, stale)
    // No cached entry (a restarted process, another replica's session): the stored profile may serve.
    return this.#storedProfile(sessionId).then((stored) =>
      stored ? preferStale(revalidation, stored) : revalidation,
    )
  }

  /** The profile the store keeps, if the session is live and it is within the stale window. */
  async #storedProfile(sessionId: string): Promise<SessionUser | undefined> {
    const { store, clock, ttlMs } = this.#options
    const session = await store.getSession(sessionId).catch(() => undefined)
    if (!session || session.expiresAt <= clock.now()) return undefined
    const freshUntil = session.userFetchedAt + ttlMs
    if (!this.#servable(freshUntil, clock.now())) return undefined
    return { user: session.user, upstream: this.#unsaved.get(sessionId) ?? session.upstream, freshUntil }
  }

  /** Whether the provider is failing right now (for readiness and metrics). */
  get providerFailing(): boolean {
    return this.#health.failing
  }

  #servable(freshUntil: number, now: number): boolean {
    return freshUntil + (this.#options.staleMs ?? 0) > now
  }

  /** One revalidation per session however many requests arrive together (single flight). */
  #revalidateOnce(sessionId: string): Promise<SessionUser> {
    const running = this.#inflight.get(sessionId)
    if (running) return running
    const revalidation = this.#revalidate(sessionId).finally(() => this.#inflight.delete(sessionId))
    this.#inflight.set(sessionId, revalidation)
    return revalidation
  }

  /** During an outage, without a cached entry (a restarted process): the profile the store keeps. */
  async #lastKnown(sessionId: string): Promise<SessionUser> {
    const { store, clock, ttlMs } = this.#options
    const session = await store.getSession(sessionId)
    if (!session || session.expiresAt <= clock.now())
      throw new SessionEndedError('The sign-in session has ended')
    return this.#staleEntry(
      session,
      this.#unsaved.get(sessionId) ?? session.upstream,
      session.userFetchedAt + ttlMs,
    )
  }

  /** The last known profile if it is still within the stale window, else `ProviderOutageError`. */
  #staleEntry(session: SessionRecord, upstream: UpstreamTokens, freshUntil: number): SessionUser {
    const { provider, clock } = this.#options
    if (!this.#servable(freshUntil, clock.now()))
      throw new ProviderOutageError(
        provider.id,
        `${provider.id} is not answering and the last known profile is too old`,
      )
    const entry: SessionUser = { user: session.user, upstream, freshUntil }
    this.#cache.set(session.sessionId, entry)
    return entry
  }

  /** Drops entries that can no longer be served, not even stale (called by the periodic sweep). */
  prune(now: number): void {
    for (const [sessionId, entry] of this.#cache)
      if (!this.#servable(entry.freshUntil, now)) this.#cache.delete(sessionId)
  }

  /** Number of cached sessions (for tests and metrics). */
  get size(): number {
    return this.#cache.size
  }

  #canRefresh(upstream: UpstreamTokens): boolean {
    return this.#options.provider.refresh !== undefined && upstream.refreshToken !== undefined
  }

  #needsRefresh(upstream: UpstreamTokens, now: number): boolean {
    return upstream.expiresAt !== undefined && upstream.expiresAt <= now && this.#canRefresh(upstream)
  }

  async #revalidate(sessionId: string): Promise<SessionUser> {
    const { store, clock, ttlMs } = this.#options
    const session = await store.getSession(sessionId)
    if (!session || session.expiresAt <= clock.now()) {
      this.#cache.delete(sessionId)
      this.#unsaved.delete(sessionId)
      throw new SessionEndedError('The sign-in session has ended')
    }
    const patch: { -readonly [K in keyof SessionPatch]: SessionPatch[K] } = {}
    let upstream = session.upstream
    const unsaved = this.#unsaved.get(sessionId)
    if (unsaved) {
      await saveWithRetry(() => store.updateSession(sessionId, { upstream: unsaved }))
      this.#unsaved.delete(sessionId)
      upstream = unsaved
    }
    let user = session.user
    let fetchedAt = session.userFetchedAt
    try {
      if (this.#needsRefresh(upstream, clock.now())) {
        upstream = await this.#refresh(session, upstream)
        patch.upstream = upstream
      }
      if (fetchedAt + ttlMs <= clock.now()) {
        const fetched = await this.#fetchUser(session, upstream, patch.upstream !== undefined)
        const changed = identityChange(session.user, fetched.user)
        if (changed) await this.#endForIdentity(session, changed)
        user = fetched.user
        if (fetched.upstream !== upstream) {
          upstream = fetched.upstream
          patch.upstream = upstream
        }
        fetchedAt = clock.now()
        patch.user = user
        patch.userFetchedAt = fetchedAt
      }
    } catch (error) {
      if (!isOutage(error)) throw error
      this.#health.failed(clock.now())
      this.#options.log.warn(
        {
          provider: this.#options.provider.id,
          reason: error instanceof Error ? error.message : String(error),
        },
        'identity provider not answering; serving the last known profile while it is fresh enough',
      )
      return this.#staleEntry(session, upstream, session.userFetchedAt + ttlMs)
    }
    if (Object.keys(patch).length > 0) this.#health.recovered()
    if (patch.user) {
      const refusal = allowlistRefusal(user, this.#options.authorization)
      if (refusal) await this.#end(session, `allowlist: ${refusal}`)
    }
    if (Object.keys(patch).length > 0) await store.updateSession(sessionId, patch)
    const entry: SessionUser = { user, upstream, freshUntil: fetchedAt + ttlMs }
    this.#cache.set(sessionId, entry)
    return entry
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
      if (error instanceof UpstreamIdentityChangedError) return this.#endForIdentity(session, error.message)
      if (!(error instanceof UpstreamOAuthError)) throw error
      if (alreadyRefreshed || !this.#canRefresh(upstream))
        return this.#end(session, 'the provider refused the upstream token')
    }
    const refreshed = await this.#refresh(session, upstream)
    try {
      return { user: await this.#options.provider.userInfo(refreshed), upstream: refreshed }
    } catch (error) {
      if (error instanceof UpstreamIdentityChangedError) return this.#endForIdentity(session, error.message)
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
      // Persist before use, with retries: a rotating provider has already invalidated the old
      // refresh token, so these tokens are the session's only future. If the database stays down,
      // they are kept here and saved first on the next revalidation.
      try {
        await saveWithRetry(() => this.#options.store.updateSession(session.sessionId, { upstream: fresh }))
      } catch (error) {
        this.#unsaved.set(session.sessionId, fresh)
        throw error
      }
      this.#options.log.info(
        { provider: this.#options.provider.id, userId: session.user.userId },
        'upstream token refreshed',
      )
      return fresh
    } catch (error) {
      if (error instanceof UpstreamIdentityChangedError) return this.#endForIdentity(session, error.message)
      if (error instanceof UpstreamOAuthError)
        return this.#end(session, 'the provider refused to refresh the upstream token')
      throw error
    }
  }

  /**
   * The identity pin (`identity-pin.ts`) broke: the session ends (`invalid_token` at the guard),
   * with a warning, and nothing of the answer is stored.
   */
  async #endForIdentity(session: SessionRecord, reason: string): Promise<never> {
    this.#options.log.warn(
      { provider: this.#options.provider.id, userId: session.user.userId, reason },
      'session ended: the provider answered about another user',
    )
    return this.#end(session, `identity changed: ${reason}`)
  }

  async #end(session: SessionRecord, reason: string): Promise<never> {
    await this.#options.store.deleteSession(session.sessionId)
    this.#cache.delete(session.sessionId)
    this.#unsaved.delete(session.sessionId)
    this.#options.log.info(
      { provider: this.#options.provider.id, userId: session.user.userId, reason },
      'session ended',
    )
    throw new SessionEndedError('The sign-in session has ended; sign in again')
  }
}

/**
 * The revalidation's result if it comes within `STALE_ANSWER_WAIT_MS`, else the stale entry (the
 * revalidation goes on and refreshes the cache). An outage also answers with the stale entry;
 * anything else (a refusal that ended the session, a store failure) passes through.
 */
function preferStale(revalidation: Promise<SessionUser>, stale: SessionUser): Promise<SessionUser> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(stale), STALE_ANSWER_WAIT_MS)
    timer.unref()
    revalidation.then(
      (entry) => {
        clearTimeout(timer)
        resolve(entry)
      },
      (error: unknown) => {
        clearTimeout(timer)
        if (isOutage(error)) resolve(stale)
        else reject(error)
      },
    )
  })
}
