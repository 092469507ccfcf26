import { randomBytes } from 'node:crypto'
import net from 'node:net'
import pg from 'pg'

/** The PostgreSQL of the tests (CI: database `test`; each helper session sets its own). */
export const DATABASE_URL = process.env['MXCP_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: DATABASE_URL })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** A fresh database for whole servers (they use the store's default schema); `drop()` removes it. */
export async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `mxcp_ops_${randomBytes(5).toString('hex')}`
  await admin((client) => client.query(`CREATE DATABASE "${name}"`))
  const url = new URL(DATABASE_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => {
      await admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))
    },
  }
}

/**
 * A TCP proxy on 127.0.0.1 in front of PostgreSQL, to take the database away from a server
 * without stopping the PostgreSQL others share: `cut()` drops every connection and resets new
 * ones (a stopped database), `restore()` forwards again.
 */
export interface TcpProxy {
  /** `url` through the proxy. */
  via(url: string): string
  cut(): void
  restore(): void
  close(): Promise<void>
}

export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const { hostname, port } = new URL(target)
  let forwarding = true
  const sockets = new Set<net.Socket>()
  const track = (socket: net.Socket): void => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
  }
  const server = net.createServer((client) => {
    track(client)
    if (!forwarding) {
      client.resetAndDestroy()
      return
    }
    const upstream = net.connect(Number(port || 5432), hostname)
    track(upstream)
    client.pipe(upstream)
    upstream.pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address() as net.AddressInfo
  const dropAll = (): void => {
    for (const socket of sockets) socket.destroy()
  }
  return {
    via(url) {
      const parsed = new URL(url)
      parsed.hostname = '127.0.0.1'
      parsed.port = String(address.port)
      return parsed.toString()
    },
    cut() {
      forwarding = false
      dropAll()
    },
    restore() {
      forwarding = true
    },
    async close() {
      dropAll()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
