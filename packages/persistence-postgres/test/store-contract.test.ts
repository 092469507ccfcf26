import { after } from 'node:test'
import { singleUseContract, storeAdminContract, storeContract } from '@mxcp/auth-core/testing'
import { dropSchema, openTestStore, randomSchema } from './support/database.js'
import { openReplicaStores } from './support/replica-stores.js'

// One schema for the file: each test opens (and closes) its own store on it, which also shows that
// reopening an existing schema is harmless. The contract's records carry random ids.
const schema = randomSchema()
after(() => dropSchema(schema))

storeContract('postgres', () => openTestStore(schema), {
  // Two stores (two pools) on one schema, as two replicas of a server have.
  replicas: () => openReplicaStores(schema),
})
singleUseContract('postgres', () => openTestStore(schema))

// The admin commands list every session of the store: a fresh schema per test.
const adminSchemas: string[] = []
after(() => Promise.all(adminSchemas.map(dropSchema)))
storeAdminContract('postgres', () => {
  const fresh = randomSchema()
  adminSchemas.push(fresh)
  return openTestStore(fresh)
})
