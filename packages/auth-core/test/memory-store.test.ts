import { MemoryStore } from '../src/index.js'
import { singleUseContract, storeAdminContract, storeContract } from '../src/testing/index.js'

storeContract('memory', async () => new MemoryStore())
singleUseContract('memory', async () => new MemoryStore())
storeAdminContract('memory', async () => new MemoryStore())
