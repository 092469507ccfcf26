import { generate } from 'selfsigned'

/** A throwaway certificate authority and a server certificate it signed, all PEM. */
export interface TestCertificate {
  /** The CA certificate: what a client trusts (`ca` option, or a file named by NODE_EXTRA_CA_CERTS). */
  readonly caCert: string
  /** The server's certificate and private key (`cert` / `key` of `https.createServer`). */
  readonly cert: string
  readonly key: string
}

/**
 * Makes, at test time, a CA and a server certificate for loopback (`127.0.0.1`, `::1` and
 * `localhost` in its subject alternative names), valid from a minute ago for a day. A real chain
 * (not one self-signed leaf) so that Node verifies it exactly as it would a public one.
 */
export async function createTestCertificate(
  names: readonly string[] = ['localhost'],
): Promise<TestCertificate> {
  const notBeforeDate = new Date(Date.now() - 60_000)
  const notAfterDate = new Date(Date.now() + 24 * 3600_000)
  const ca = await generate([{ name: 'commonName', value: 'mxcp test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  })
  const server = await generate([{ name: 'commonName', value: names[0] ?? 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...names.map((value) => ({ type: 2 as const, value })),
          { type: 7 as const, ip: '127.0.0.1' },
          { type: 7 as const, ip: '::1' },
        ],
      },
    ],
  })
  return { caCert: ca.cert, cert: server.cert, key: server.private }
}
