import { existsSync, rmSync } from 'node:fs'
import type { OAuthStore, ResolvedConfig } from '@mxcp/auth-core'
import type { ClientRecord, SessionSummary } from '@mxcp/auth-core/server-kit'
import pino from 'pino'
import { openStore } from '../auth/open-store.js'
import { loadServerConfig } from '../auth/server-providers.js'
import { describeFailure } from './describe-failure.js'
import type { OperatorCommand } from './operator-arguments.js'
import { type CommandIo, processIo } from './output.js'
import { formatTable, formatTime } from './table.js'

type AuthCommand = Exclude<OperatorCommand, { name: 'log' }>

/** A problem the operator reads: exit 1 with this message. */
class OperatorError extends Error {}

function persistenceOf(config: ResolvedConfig) {
  const { persistence } = config.auth
  if (config.auth.provider === 'none') {
    throw new OperatorError(
      'auth.provider is none for this profile: there are no clients, sessions or tokens.',
    )
  }
  if (!persistence) {
    throw new OperatorError(
      'auth.persistence is not configured: OAuth state lives in the memory of the running server, ' +
        'which these commands cannot reach (a restart signs everyone out). Configure auth.persistence ' +
        '(type: sqlite or postgres) to manage sessions from the command line.',
    )
  }
  return persistence
}

/** Opens the profile's store; a SQLite file that does not exist yet is reported, not created. */
async function openConfiguredStore(config: ResolvedConfig, io: CommandIo): Promise<OAuthStore> {
  const persistence = persistenceOf(config)
  if (persistence.type !== 'postgres' && !existsSync(persistence.path)) {
    throw new OperatorError(
      `No OAuth store at ${persistence.path}: nobody has signed in with this profile yet.`,
    )
  }
  // The store's own warnings go to standard error; its info lines are not this command's output.
  const logger = pino({ level: 'warn' }, { write: (line: string) => io.err(line.trimEnd()) })
  const store = await openStore(config.auth, logger)
  if (!store?.admin) throw new OperatorError('This store offers no admin commands.')
  return store
}

function clientRows(clients: readonly ClientRecord[]): string {
  if (clients.length === 0) return 'No registered clients.'
  return formatTable(
    ['CLIENT ID', 'NAME', 'AUTH', 'REGISTERED', 'REDIRECT URIS'],
    clients.map((client) => [
      client.clientId,
      client.clientName,
      client.tokenEndpointAuthMethod,
      formatTime(client.issuedAt),
      client.redirectUris.join(' '),
    ]),
  )
}

/** A client as shown: everything but the secret's hash. */
function publicClient(client: ClientRecord): Record<string, unknown> {
  const { clientSecretHash, ...shown } = client
  return { ...shown, hasSecret: clientSecretHash !== undefined }
}

function sessionRows(sessions: readonly SessionSummary[]): string {
  if (sessions.length === 0) return 'No live sessions.'
  return formatTable(
    ['SESSION', 'USER', 'USER ID', 'PROVIDER', 'CLIENTS', 'TOKENS', 'SIGNED IN', 'EXPIRES'],
    sessions.map((session) => [
      session.sessionId,
      session.username,
      session.userId,
      session.provider,
      session.clientIds.join(' ') || '-',
      String(session.liveTokens),
      formatTime(session.createdAt),
      formatTime(session.expiresAt),
    ]),
  )
}

async function runOnStore(
  command: Exclude<AuthCommand, { name: 'auth-reset' }>,
  store: OAuthStore,
  io: CommandIo,
): Promise<number> {
  const admin = store.admin
  if (!admin) throw new OperatorError('This store offers no admin commands.')
  const print = (json: unknown, text: string): void =>
    io.out(command.json ? JSON.stringify(json, null, 2) : text)
  switch (command.name) {
    case 'auth-clients': {
      if (command.action === 'list') {
        const clients = await admin.listClients()
        print(clients.map(publicClient), clientRows(clients))
        return 0
      }
      const clientId = command.clientId ?? ''
      if (command.action === 'show') {
        const client = await store.getClient(clientId)
        if (!client) throw new OperatorError(`No registered client ${clientId}.`)
        print(publicClient(client), JSON.stringify(publicClient(client), null, 2))
        return 0
      }
      const removal = await admin.removeClient(clientId)
      if (!removal.removed) throw new OperatorError(`No registered client ${clientId}.`)
      print(
        removal,
        `Removed client ${clientId}: ${removal.sessions} session(s) ended, ${removal.tokens} token(s) revoked.`,
      )
      return 0
    }
    case 'auth-sessions': {
      const sessions = await admin.listSessions(Date.now(), command.user)
      print(sessions, sessionRows(sessions))
      return 0
    }
    case 'auth-revoke': {
      const { target } = command
      const revocation =
        'user' in target
          ? await admin.revokeUser(target.user)
          : 'client' in target
            ? await admin.revokeClient(target.client)
            : await admin.revokeSession(target.session)
      const what =
        'user' in target
          ? `user ${target.user}`
          : 'client' in target
            ? `client ${target.client}`
            : `session ${target.session}`
      print(
        revocation,
        `Revoked ${what}: ${revocation.sessions} session(s) ended, ${revocation.tokens} token(s) revoked. ` +
          'Every server on this store refuses them from the next request on.',
      )
      return 0
    }
  }
}

/** The files of a SQLite store: the database, its WAL and shared memory, and the generated key file. */
function sqliteFiles(path: string): string[] {
  return [path, `${path}-wal`, `${path}-shm`, `${path}.key`].filter((file) => existsSync(file))
}

const RESET_LOSES =
  'This signs every user out and forgets every registered client: each MCP client registers and signs in again. ' +
  'Nothing else (the DuckDB data, the configuration) is touched. Stop the server first.'

function reset(config: ResolvedConfig, yes: boolean, io: CommandIo): number {
  const persistence = persistenceOf(config)
  if (persistence.type === 'postgres') {
    throw new OperatorError(
      'mxcp auth reset removes a SQLite store only. For PostgreSQL, stop every replica and run ' +
        '`DROP SCHEMA mxcp_auth CASCADE;` on the database; the next start creates it again. ' +
        RESET_LOSES,
    )
  }
  const files = sqliteFiles(persistence.path)
  if (files.length === 0) {
    io.out(`No OAuth store at ${persistence.path}: nothing to reset.`)
    return 0
  }
  if (!yes) {
    io.err(
      `mxcp auth reset deletes ${files.join(', ')}.\n${RESET_LOSES}\nRun it again with --yes to go ahead.`,
    )
    return 1
  }
  for (const file of files) rmSync(file, { force: true })
  io.out(
    `Deleted ${files.join(', ')}. The next mxcp serve starts with an empty store (and the configured key).`,
  )
  return 0
}

/**
 * `mxcp auth clients|sessions|revoke|reset`: operator commands on the store the profile
 * configures (`auth.persistence`), safe while servers run on it (see `StoreAdmin`).
 * Returns the exit code: 0, or 1 with the problem on standard error.
 */
export async function authCommand(command: AuthCommand, io: CommandIo = processIo): Promise<number> {
  let store: OAuthStore | undefined
  try {
    const config = await loadServerConfig({
      projectDir: command.project.projectDir,
      profile: command.project.profile,
      env: io.env,
    })
    if (command.name === 'auth-reset') return reset(config, command.yes, io)
    store = await openConfiguredStore(config, io)
    return await runOnStore(command, store, io)
  } catch (error) {
    io.err(describeFailure(error))
    return 1
  } finally {
    await store?.close()
  }
}
