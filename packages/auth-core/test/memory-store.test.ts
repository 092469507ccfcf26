import { MemoryStore } from '../src/index.js'
import { singleUseContract, storeContract } from '../src/testing/index.js'

storeContract('memory', async () => new MemoryStore())
singleUseContract('memory', async () => new MemoryStore())
