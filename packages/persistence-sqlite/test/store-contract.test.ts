import { singleUseContract, storeAdminContract, storeContract } from '@mxcp/auth-core/testing'
import { openSqliteStore } from '../src/index.js'
import { tempDatabasePath } from './helpers/temp-database.js'

const open = (path = tempDatabasePath()) => openSqliteStore({ path, encryptionKey: 'test-key' })

storeContract('sqlite', () => open(), {
  // Two connections on one file, as two processes of a server have.
  replicas: async () => {
    const path = tempDatabasePath()
    return [await open(path), await open(path)]
  },
})
singleUseContract('sqlite', () => open())
storeAdminContract('sqlite', () => open())
