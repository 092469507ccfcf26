import { singleUseContract, storeAdminContract, storeContract } from '@mxcp/auth-core/testing'
import { openSqliteStore } from '../src/index.js'
import { tempDatabasePath } from './helpers/temp-database.js'

storeContract('sqlite', async () => openSqliteStore({ path: tempDatabasePath(), encryptionKey: 'test-key' }))
singleUseContract('sqlite', async () =>
  openSqliteStore({ path: tempDatabasePath(), encryptionKey: 'test-key' }),
)
storeAdminContract('sqlite', async () =>
  openSqliteStore({ path: tempDatabasePath(), encryptionKey: 'test-key' }),
)
