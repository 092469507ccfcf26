import net from 'node:net'

/**
 * A TCP proxy on 127.0.0.1 between the store and PostgreSQL, to take the database away without
 * stopping the server that other engineers share. `cut('down')` drops every connection and resets
 * new ones at once (a stopped server); `cut('silent')` drops every connection and accepts new ones
 * without ever answering (a host gone from the network); `cut('blackhole')` keeps every connection
 * open but forwards nothing either way, and answers no new one (packets dropped by a firewall: the
 * sockets stay open, nobody hears anything). `restore()` forwards again.
 */
export interface TcpProxy {
  readonly port: number
  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string
  cut(mode: 'down' | 'silent' | 'blackhole'): void
  restore(): void
  close(): Promise<void>
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let mode: 'forward' | 'down' | 'silent' | 'blackhole' = 'forward'
  const pairs = new Set<[net.Socket, net.Socket]>()
  const sockets = new Set<net.Socket>()
  const track = (socket: net.Socket): void => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
  }
  const dropAll = (): void => {
    for (const socket of sockets) socket.destroy()
  }

  const server = net.createServer((client) => {
    track(client)
    if (mode === 'down') {
      client.resetAndDestroy()
      return
    }
    if (mode === 'silent' || mode === 'blackhole') return // held open, never answered
    const upstream = net.connect(targetPort, targetHost)
    track(upstream)
    client.pipe(upstream)
    upstream.pipe(client)
    const pair: [net.Socket, net.Socket] = [client, upstream]
    pairs.add(pair)
    client.on('close', () => {
      upstream.destroy()
      pairs.delete(pair)
    })
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address')

  return {
    port: address.port,
    via(url) {
      const parsed = new URL(url)
      parsed.hostname = '127.0.0.1'
      parsed.port = String(address.port)
      return parsed.toString()
    },
    cut(next) {
      mode = next
      if (next !== 'blackhole') return dropAll()
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream)
        upstream.unpipe(client)
        // Read and drop whatever arrives, as a network that loses every packet would.
        client.on('data', () => {})
        upstream.on('data', () => {})
      }
    },
    restore() {
      mode = 'forward'
      // Silent sockets would hang their clients until a timeout; end them now.
      dropAll()
    },
    async close() {
      dropAll()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
