import { redactSecret } from '../src/redact-secret.js'
const e = new Error("Could not convert 'tok123' to INT", { cause: new Error('tok123 inner') })
console.log(Object.getOwnPropertyNames(e), Object.getOwnPropertyDescriptor(e, 'stack'))
const r = redactSecret(e, 'tok123') as Error
console.log(r === e, r.message, '|', r.stack?.split('\n')[0], '|', (r.cause as Error).message, (r.cause as Error).stack?.split('\n')[0])
const f = Object.freeze(new Error('x tok123'))
console.log((redactSecret(f, 'tok123') as Error).message)
const a = new AggregateError([new Error('tok123 a')], 'agg tok123')
const ra = redactSecret(a, 'tok123') as AggregateError
console.log(ra.message, (ra.errors[0] as Error).message)
