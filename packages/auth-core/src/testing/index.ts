export * from './record-fixtures.js'
export { storeContract } from './store-contract.js'
