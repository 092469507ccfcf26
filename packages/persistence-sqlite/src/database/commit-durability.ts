import type Database from 'better-sqlite3'

/**
 * Runs a write whose commit need not wait for the disk. The connection's default stays
 * `synchronous=FULL` (`openDatabase`): a commit returns once the WAL is fsynced, so it survives a
 * power cut. Inside `lightCommits`, `synchronous=NORMAL`: the commit is written to the WAL (the
 * operating system holds it, so it survives the process being killed) but not fsynced; a power
 * cut or a kernel crash may roll back the last such commits, never corrupt the file (WAL). The
 * next FULL commit fsyncs the WAL, and with it every light commit written before it.
 *
 * The store uses it for the steps of a sign-in in flight (transactions, codes, sessions, consent
 * and pending-sign-in claims, and the like) whose loss in a power cut only means signing in
 * again; what an answer hands out for good (a registration's lease, tokens, a revocation) commits
 * FULL, after them, so it carries them to disk too. better-sqlite3 is synchronous: nothing else
 * runs on the connection between the two switches.
 */
export type LightCommits = <T>(work: () => T) => T

export function lightCommits(client: Database.Database): LightCommits {
  // Run afresh each time (`exec`), never prepared once: SQLite applies `synchronous = …` while
  // preparing the statement, and running a prepared one again changes nothing.
  return (work) => {
    client.exec('PRAGMA synchronous = NORMAL')
    try {
      return work()
    } finally {
      client.exec('PRAGMA synchronous = FULL')
    }
  }
}
