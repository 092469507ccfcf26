/**
 * `leave-store-open-script.ts <db>`: opens a store with a 1 s sweep and never closes it. The
 * process must still exit on its own once its work is done.
 */
import { openSqliteStore } from '../../src/index.js'

const [path] = process.argv.slice(2)
if (path === undefined) throw new Error('usage: leave-store-open-script.ts <database>')
await openSqliteStore({ path, encryptionKey: 'test-key', sweepIntervalMs: 1_000 })
