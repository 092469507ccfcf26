import { after, before } from 'node:test'
import type { PostgresStore } from '../../src/postgres-store.js'
import { dropSchema, openTestStore, randomSchema } from './database.js'

/**
 * Two stores on `schema`, each with its own pool and connections: what two replicas of a server
 * hold on one database. The store contract's `replicas` and the race tests use the same pair.
 */
export async function openReplicaStores(schema: string): Promise<readonly [PostgresStore, PostgresStore]> {
  return [await openTestStore(schema), await openTestStore(schema)]
}

/** The pair of replica stores a test file races on. */
export interface ReplicaStores {
  readonly A: PostgresStore
  readonly B: PostgresStore
}

/**
 * Replica stores on a fresh schema for the tests of the calling file (or suite): opened before
 * them, closed and the schema dropped after. Read `A` and `B` inside the tests.
 */
export function replicaStoresForTests(): ReplicaStores {
  const schema = randomSchema()
  let pair: readonly [PostgresStore, PostgresStore] | undefined
  before(async () => {
    pair = await openReplicaStores(schema)
  })
  after(async () => {
    if (pair) await Promise.all(pair.map((store) => store.close()))
    await dropSchema(schema)
  })
  const opened = (): readonly [PostgresStore, PostgresStore] => {
    if (!pair) throw new Error('the replica stores are opened before the tests')
    return pair
  }
  return {
    get A() {
      return opened()[0]
    },
    get B() {
      return opened()[1]
    },
  }
}
