import { DuckDBInstance, DuckDBScalarFunction, VARCHAR } from '@duckdb/node-api'
const db = await DuckDBInstance.create(':memory:')
const a = await db.connect()
const q = async (c: any, s: string, v?: any) => { try { return (await c.runAndReadAll(s, v)).getRows() } catch (e) { return 'ERR ' + (e as Error).message } }
const mk = (name: string, tag: string) => DuckDBScalarFunction.create({
  name, returnType: VARCHAR, extraInfo: { tag },
  bindFunction: (info) => { info.setBindData({ v: (info.extraInfo as any).tag }) },
  mainFunction: (info, input, out) => { const v = (info.bindData as { v: string }).v; for (let i = 0; i < input.rowCount; i++) out.setItem(i, v); out.flush() },
})
a.registerScalarFunction(mk('gu', 'first'))
console.log(await q(a, 'SELECT gu()'))
try { a.registerScalarFunction(mk('gu', 'second')); console.log('dup ok') } catch (e) { console.log('dup err', (e as Error).message) }
console.log(await q(a, 'SELECT gu()'))
console.log(await q(a, "SELECT count(*) FROM duckdb_functions() WHERE function_name='gu'"))
// error in bind
const bad = DuckDBScalarFunction.create({ name: 'bad', returnType: VARCHAR,
  bindFunction: (info) => { throw new Error('boom secret') },
  mainFunction: (info, input, out) => { out.flush() } })
a.registerScalarFunction(bad)
console.log(await q(a, 'SELECT bad()'))
console.log(await q(a, "SELECT CAST(gu() AS INTEGER)"))
console.log(await q(a, "EXPLAIN SELECT 'Bearer ' || gu()"))
