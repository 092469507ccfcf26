import { DuckDBInstance, DuckDBScalarFunction, VARCHAR } from '@duckdb/node-api'
const db = await DuckDBInstance.create(':memory:')
const db2 = await DuckDBInstance.create(':memory:')
const a = await db.connect()
const b = await db.connect()
const c2 = await db2.connect()
console.log('ids', a.clientContext.connectionId, b.clientContext.connectionId, 'db2', c2.clientContext.connectionId)
const q = async (c: any, s: string, v?: any) => { try { return (await c.runAndReadAll(s, v)).getRows() } catch (e) { return 'ERR ' + (e as Error).message } }
const bound = new Map<number, string>()
let calls = { bind: 0, main: 0 }
const mk = (name: string) => DuckDBScalarFunction.create({
  name, returnType: VARCHAR,
  bindFunction: (info) => { calls.bind++; info.setBindData({ v: bound.get(info.clientContext.connectionId) ?? '' }) },
  mainFunction: (info, input, out) => { calls.main++; const v = (info.bindData as { v: string }).v; for (let i = 0; i < input.rowCount; i++) out.setItem(i, v); out.flush() },
})
a.registerScalarFunction(mk('gu'))
try { b.registerScalarFunction(mk('gu')); console.log('dup ok') } catch (e) { console.log('dup err', (e as Error).message) }
console.log(await q(b, "SELECT function_name, function_type, schema_name, database_name, internal FROM duckdb_functions() WHERE function_name='gu'"))
bound.set(a.clientContext.connectionId, 'alice'); bound.set(b.clientContext.connectionId, 'bob')
calls = { bind: 0, main: 0 }
console.log('a sees', await q(a, 'SELECT gu(), gu()'), calls)
calls = { bind: 0, main: 0 }
console.log('range', (await q(a, "SELECT count(*), min(gu()), min(i::VARCHAR || gu()) FROM range(100000) r(i)")), calls)
const p = await a.prepare('SELECT gu()')
bound.set(a.clientContext.connectionId, 'carol')
console.log('prep after rebind', (await p.runAndReadAll()).getRows())
await a.run('CREATE TABLE docs(owner VARCHAR, body VARCHAR)')
console.log('prep after catalog change', (await p.runAndReadAll()).getRows())
await a.run("INSERT INTO docs VALUES (gu(), 'x'), ('bob', 'y')")
await a.run('CREATE VIEW mine AS SELECT * FROM docs WHERE owner = gu()')
await a.run('CREATE MACRO whoami() AS gu()')
await a.run("CREATE MACRO hdr() AS MAP {'Authorization': 'Bearer ' || gu()}")
console.log('a view', await q(a, 'SELECT * FROM mine'), 'b view', await q(b, 'SELECT * FROM mine'))
console.log('macro', await q(b, 'SELECT whoami(), hdr()'))
console.log('cte', await q(b, 'WITH me AS (SELECT gu() AS u) SELECT u FROM me'))
console.log('lambda', await q(b, 'SELECT list_transform([1,2], x -> x::VARCHAR || gu())'))
console.log('default', await q(b, 'CREATE TABLE dd(a INT, who VARCHAR DEFAULT gu())'), await q(b, 'INSERT INTO dd(a) VALUES (1)'), await q(b, 'SELECT * FROM dd'))
console.log('db2 unaffected', await q(c2, 'SELECT gu()'))
// perf
const N = 2000
let t = performance.now()
for (let i = 0; i < N; i++) await a.run('SELECT gu()')
console.log('gu us/op', ((performance.now() - t) * 1000 / N).toFixed(1))
t = performance.now()
for (let i = 0; i < N; i++) await a.run("SELECT ''")
console.log('plain us/op', ((performance.now() - t) * 1000 / N).toFixed(1))
t = performance.now()
for (let i = 0; i < N; i++) await a.run("SELECT gu(), gu(), gu(), gu()")
console.log('4x gu us/op', ((performance.now() - t) * 1000 / N).toFixed(1))
t = performance.now()
for (let i = 0; i < N; i++) { await a.run('SET VARIABLE x = $1', ['abc']); await a.run("SELECT getvariable('x')"); await a.run('RESET VARIABLE x') }
console.log('G-style us/op', ((performance.now() - t) * 1000 / N).toFixed(1))
