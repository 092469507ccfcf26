import { createServer } from 'node:net'

/**
 * A TCP port on 127.0.0.1 that nothing listens on right now: bound on port 0, read, released.
 * Servers whose command line takes a port (the SDK example, `mxcp serve`) get one from here, so
 * their standard output can go straight to /dev/null instead of being read for a port.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port was assigned'))))
    })
  })
}
