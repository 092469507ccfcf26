/**
 * `node --import tsx open-store-script.ts <db> [key]`: opens the store the way a server start-up
 * does (top-level await, no error handling) and closes it. A failure to open leaves Node.js to
 * print the error and exit non-zero.
 */
import { openSqliteStore } from '../../src/index.js'

const [path, encryptionKey] = process.argv.slice(2)
if (path === undefined) throw new Error('usage: open-store-script.ts <database> [key]')
const store = await openSqliteStore({ path, ...(encryptionKey === undefined ? {} : { encryptionKey }) })
await store.close()
