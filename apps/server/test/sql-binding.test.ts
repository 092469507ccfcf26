import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { copyExampleProject, type TempDir, writeFiles } from './helpers/example-project.js'
import { type RunningServer, startInProcess } from './helpers/in-process-server.js'
import { connectAnonymous, resultJson, resultText } from './helpers/mcp-client.js'

const TOOLS = {
  'tools/by_name.yml': `mxcp: 1
tool:
  name: by_name
  parameters:
    - { name: name, type: string, description: Exact name }
  source:
    code: SELECT id FROM employees WHERE name = $name
`,
  'tools/typed.yml': `mxcp: 1
tool:
  name: typed
  parameters:
    - { name: ids, type: array, items: { type: integer }, description: Ids }
    - { name: ratio, type: number, description: A number }
    - { name: flag, type: boolean, description: A flag }
    - { name: filter, type: object, description: JSON, properties: { department: { type: string } } }
  return:
    type: object
  source:
    code: |
      SELECT list_sort(list_filter($ids, x -> x > 1)) AS big_ids,
             $ratio * 2 AS double_ratio,
             NOT $flag AS negated,
             $filter::JSON->>'department' AS department,
             (SELECT count(*) FROM employees WHERE department = ($filter::JSON->>'department')) AS headcount
`,
  'tools/broken_sql.yml': `mxcp: 1
tool:
  name: broken_sql
  parameters:
    - { name: x, type: integer, description: x }
  source:
    code: SELECT * FROM no_such_table WHERE id = $x
`,
  'tools/two_rows.yml': `mxcp: 1
tool:
  name: two_rows
  return:
    type: object
  source:
    code: SELECT id FROM employees ORDER BY id LIMIT 2
`,
  'tools/one_value.yml': `mxcp: 1
tool:
  name: one_value
  parameters:
    - { name: department, type: string, description: x }
  return:
    type: integer
  source:
    code: SELECT count(*) FROM employees WHERE department = $department
`,
}

describe('arguments are bound to prepared statements, typed as declared', () => {
  let project: TempDir
  let running: RunningServer
  let client: Client

  before(async () => {
    project = copyExampleProject()
    writeFiles(project.path, TOOLS)
    running = await startInProcess({ projectDir: project.path, overrides: { sqlTools: true } })
    client = await connectAnonymous(running.url)
  })
  after(async () => {
    await client?.close()
    await running?.close()
    project?.dispose()
  })

  test('a string with quotes and SQL in it is a value, never SQL', async () => {
    const injected = await client.callTool({ name: 'by_name', arguments: { name: "x' OR '1'='1" } })
    assert.deepEqual(resultJson(injected), [])
    const dropped = await client.callTool({
      name: 'by_name',
      arguments: { name: "'; DROP TABLE employees; --" },
    })
    assert.deepEqual(resultJson(dropped), [])
    assert.deepEqual(
      resultJson(await client.callTool({ name: 'by_name', arguments: { name: 'Ada Lovelace' } })),
      [{ id: 1 }],
    )
  })

  test('arrays, numbers, booleans and objects arrive in SQL as lists, doubles, booleans and JSON text', async () => {
    const result = await client.callTool({
      name: 'typed',
      arguments: { ids: [3, 1, 2], ratio: 0.25, flag: false, filter: { department: 'Sales' } },
    })
    assert.deepEqual(resultJson(result), {
      big_ids: [2, 3],
      double_ratio: 0.5,
      negated: true,
      department: 'Sales',
      headcount: 3,
    })
  })

  test('a scalar return type gives the single value; an object return type with two rows is a tool error', async () => {
    assert.equal(
      resultJson(await client.callTool({ name: 'one_value', arguments: { department: 'Sales' } })),
      3,
    )
    const wrongShape = await client.callTool({ name: 'two_rows', arguments: {} })
    assert.equal(wrongShape.isError, true)
    assert.equal(
      resultText(wrongShape),
      'Unexpected result: the query returned 2 rows where the return type object needs one',
    )
  })

  test("a YAML tool whose SQL fails answers a tool error with DuckDB's message, and the server keeps serving", async () => {
    const result = await client.callTool({ name: 'broken_sql', arguments: { x: 1 } })
    assert.equal(result.isError, true)
    assert.match(
      resultText(result),
      /^SQL error: Catalog Error: Table with name no_such_table does not exist/,
    )
    assert.deepEqual(
      resultJson(await client.callTool({ name: 'by_name', arguments: { name: 'Ada Lovelace' } })),
      [{ id: 1 }],
    )
  })

  test('items of an array are checked against their declared type', async () => {
    const result = await client.callTool({
      name: 'typed',
      arguments: { ids: [1, 'two'], ratio: 1, flag: true, filter: {} },
    })
    assert.equal(result.isError, true)
    assert.match(resultText(result), /parameter "ids": value\/1 must be integer/)
  })
})

describe('--readonly', () => {
  let project: TempDir
  let running: RunningServer
  let client: Client

  before(async () => {
    project = copyExampleProject()
    // A first start creates and seeds the file; the read-only start after it only reads.
    const seeding = await startInProcess({ projectDir: project.path })
    await seeding.close()
    running = await startInProcess({
      projectDir: project.path,
      overrides: { readonly: true, sqlTools: true },
    })
    client = await connectAnonymous(running.url)
  })
  after(async () => {
    await client?.close()
    await running?.close()
    project?.dispose()
  })

  test('reads work and writes are refused by DuckDB, as a tool error', async () => {
    const rows = resultJson(
      await client.callTool({
        name: 'execute_sql_query',
        arguments: { sql: 'SELECT count(*) AS n FROM employees' },
      }),
    )
    assert.deepEqual(rows, [{ n: 10 }])
    const write = await client.callTool({
      name: 'execute_sql_query',
      arguments: { sql: 'DELETE FROM employees' },
    })
    assert.equal(write.isError, true)
    assert.match(resultText(write), /read-only/)
  })

  test('a read-only start without a database file fails with a clear message', async () => {
    const empty = copyExampleProject()
    try {
      await assert.rejects(
        startInProcess({ projectDir: empty.path, overrides: { readonly: true } }),
        /demo\.duckdb does not exist, and read-only mode cannot create it/,
      )
    } finally {
      empty.dispose()
    }
  })
})
