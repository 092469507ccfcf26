import { MemoryStore } from '../src/index.js'
import { storeAdminContract, storeContract } from '../src/testing/index.js'

storeContract('memory', async () => new MemoryStore())
storeAdminContract('memory', async () => new MemoryStore())
