import { DuckDBInstance, DuckDBScalarFunction, VARCHAR } from '@duckdb/node-api'
const db = await DuckDBInstance.create(':memory:')
const a = await db.connect()
const b = await db.connect()
const q = async (c: any, s: string, v?: any) => { try { return (await c.runAndReadAll(s, v)).getRows() } catch (e) { return 'ERR ' + (e as Error).message } }
const bound = new Map<number, string>()
let calls = { bind: 0, init: 0, main: 0 }
console.log('ids', a.clientContext.connectionId, b.clientContext.connectionId)
const mk = (name: string, volatile: boolean) => DuckDBScalarFunction.create({
  name, returnType: VARCHAR, volatile,
  initFunction: (info) => { calls.init++; info.setState({ v: bound.get(info.clientContext.connectionId) ?? '' }) },
  mainFunction: (info, input, out) => { calls.main++; const v = (info.state as { v: string }).v; for (let i = 0; i < input.rowCount; i++) out.setItem(i, v); out.flush() },
})
a.registerScalarFunction(mk('fv', true))
a.registerScalarFunction(mk('fc', false))
bound.set(a.clientContext.connectionId, 'alice'); bound.set(b.clientContext.connectionId, 'bob')
console.log('b sees (registered on a)', await q(b, 'SELECT fv(), fc()'))
console.log('a sees', await q(a, 'SELECT fv(), fc()'))
console.log(calls)
calls = { bind: 0, init: 0, main: 0 }
console.log('range', (await q(a, 'SELECT count(*), min(fv()), min(fc()) FROM range(100000)')))
console.log(calls)
const p = await a.prepare('SELECT fv(), fc()')
console.log('prep as alice', (await p.runAndReadAll()).getRows())
bound.set(a.clientContext.connectionId, 'carol')
console.log('prep as carol', (await p.runAndReadAll()).getRows())
await a.run('CREATE TABLE t AS SELECT (i % 10)::VARCHAR AS owner FROM range(1000000) r(i)')
console.log(await q(a, "EXPLAIN SELECT count(*) FROM t WHERE owner = fv()"))
console.log(await q(a, "EXPLAIN SELECT count(*) FROM t WHERE owner = fc()"))
