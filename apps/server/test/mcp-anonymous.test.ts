import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { copyExampleProject, type TempDir } from './helpers/example-project.js'
import { type RunningServer, startInProcess } from './helpers/in-process-server.js'
import { postMcp } from './helpers/json-rpc.js'
import { connectAnonymous, resultJson, resultText } from './helpers/mcp-client.js'
import { EVERY_ITEM } from './helpers/protected-items.js'

describe('the example project with auth none', () => {
  let project: TempDir
  let running: RunningServer
  let client: Client

  before(async () => {
    project = copyExampleProject()
    running = await startInProcess({ projectDir: project.path, overrides: { sqlTools: true } })
    client = await connectAnonymous(running.url)
  })
  after(async () => {
    await client?.close()
    await running?.close()
    project?.dispose()
  })

  test('every tool, resource, prompt and SQL tool answers without any token', async () => {
    for (const [what, method, params] of EVERY_ITEM) {
      const response = await postMcp(running.url, method, params)
      assert.equal(response.status, 200, what)
      const body = response.body as { result?: { isError?: boolean }; error?: unknown }
      assert.equal(body.error, undefined, what)
      assert.notEqual(body.result?.isError, true, what)
    }
  })

  test('tools/list lists the YAML tools with JSON Schemas from their parameters, and the SQL tools', async () => {
    const { tools } = await client.listTools()
    assert.deepEqual(tools.map((t) => t.name).sort(), [
      'department_headcount',
      'employees_by_department',
      'execute_sql_query',
      'get_table_schema',
      'list_tables',
      'whoami',
    ])
    const byDepartment = tools.find((t) => t.name === 'employees_by_department')
    assert.deepEqual(byDepartment?.inputSchema, {
      type: 'object',
      properties: {
        department: {
          type: 'string',
          description: 'The department',
          enum: ['Engineering', 'Sales', 'Marketing'],
        },
        limit: {
          type: 'integer',
          description: 'How many employees at most',
          default: 10,
          minimum: 1,
          maximum: 100,
        },
      },
      required: ['department'],
      additionalProperties: false,
    })
    assert.deepEqual(byDepartment?.annotations, { readOnlyHint: true })
  })

  test('a YAML tool binds its arguments and fills defaults', async () => {
    const rows = resultJson(
      await client.callTool({ name: 'employees_by_department', arguments: { department: 'Sales' } }),
    )
    assert.deepEqual(rows, [
      { id: 7, name: 'Annie Easley', title: 'Solutions Engineer', hired_on: '2023-02-13' },
      { id: 5, name: 'Mary Jackson', title: 'Account Executive', hired_on: '2018-11-19' },
      { id: 6, name: 'Dorothy Vaughan', title: 'Sales Manager', hired_on: '2017-05-22' },
    ])
    const limited = resultJson(
      await client.callTool({
        name: 'employees_by_department',
        arguments: { department: 'Sales', limit: 1 },
      }),
    )
    assert.equal((limited as unknown[]).length, 1)
  })

  test('a tool whose SQL lives in a file runs it, and counts come back as JSON numbers', async () => {
    const rows = resultJson(
      await client.callTool({ name: 'department_headcount', arguments: { since: '2020-01-01' } }),
    )
    assert.deepEqual(rows, [
      { department: 'Engineering', employees: 3, first_hire: '2020-06-15' },
      { department: 'Marketing', employees: 2, first_hire: '2020-10-05' },
      { department: 'Sales', employees: 1, first_hire: '2023-02-13' },
    ])
  })

  test('get_username() and friends are empty for an anonymous caller', async () => {
    const me = resultJson(await client.callTool({ name: 'whoami', arguments: {} }))
    assert.deepEqual(me, { username: '', email: '', provider: '', employee: null })
  })

  test('a value is bound, never spliced into SQL: an injection attempt is refused as an argument', async () => {
    const result = await client.callTool({
      name: 'employees_by_department',
      arguments: { department: "Sales' OR '1'='1" },
    })
    assert.equal(result.isError, true)
    assert.match(
      resultText(result),
      /parameter "department": value must be equal to one of the allowed values/,
    )
  })

  test('bad arguments come back as a tool error naming each problem, before any SQL runs', async () => {
    const result = await client.callTool({
      name: 'employees_by_department',
      arguments: { limit: 'ten', extra: 1 },
    })
    assert.equal(result.isError, true)
    const text = resultText(result)
    assert.match(text, /unknown parameter "extra"/)
    assert.match(text, /missing required parameter "department"/)
    assert.match(text, /parameter "limit": value must be integer/)
  })

  test('a declared format is checked: a malformed date is refused', async () => {
    const result = await client.callTool({ name: 'department_headcount', arguments: { since: 'yesterday' } })
    assert.equal(result.isError, true)
    assert.match(resultText(result), /parameter "since": value must match format "date"/)
  })

  test("bad SQL in execute_sql_query comes back as a tool error with DuckDB's message", async () => {
    const result = await client.callTool({
      name: 'execute_sql_query',
      arguments: { sql: 'SELECT * FROM nowhere' },
    })
    assert.equal(result.isError, true)
    assert.match(resultText(result), /^SQL error: Catalog Error: Table with name nowhere does not exist/)
    // The server still answers afterwards.
    const ok = resultJson(
      await client.callTool({ name: 'execute_sql_query', arguments: { sql: 'SELECT 1 + 1 AS two' } }),
    )
    assert.deepEqual(ok, [{ two: 2 }])
  })

  test('list_tables and get_table_schema describe the seeded table', async () => {
    const tables = resultJson(await client.callTool({ name: 'list_tables', arguments: {} }))
    assert.deepEqual(tables, [{ schema: 'main', name: 'employees', type: 'BASE TABLE' }])
    const columns = resultJson(
      await client.callTool({ name: 'get_table_schema', arguments: { table_name: 'employees' } }),
    )
    assert.deepEqual(
      (columns as { name: string; type: string }[]).map((c) => `${c.name} ${c.type}`),
      [
        'id INTEGER',
        'name VARCHAR',
        'department VARCHAR',
        'title VARCHAR',
        'github_login VARCHAR',
        'email VARCHAR',
        'hired_on DATE',
      ],
    )
  })

  test('an unknown tool is a JSON-RPC error, not a crash', async () => {
    await assert.rejects(client.callTool({ name: 'nope', arguments: {} }), /Unknown tool: nope/)
  })

  test('the resource template is listed and read with its URI variable converted to an integer', async () => {
    const { resourceTemplates } = await client.listResourceTemplates()
    assert.deepEqual(resourceTemplates, [
      {
        uriTemplate: 'employee://{id}/profile',
        name: 'Employee profile',
        description: "One employee's profile, by id",
        mimeType: 'application/json',
      },
    ])
    const { contents } = await client.readResource({ uri: 'employee://3/profile' })
    assert.equal(contents[0]?.uri, 'employee://3/profile')
    assert.equal(contents[0]?.mimeType, 'application/json')
    const content = contents[0]
    assert.ok(content && 'text' in content)
    assert.deepEqual(JSON.parse(content.text), {
      id: 3,
      name: 'Alan Turing',
      department: 'Engineering',
      title: 'Research Engineer',
      email: 'alan@example.com',
      hired_on: '2021-01-11',
    })
  })

  test('a resource URI variable of the wrong type is refused with a clear error', async () => {
    await assert.rejects(
      client.readResource({ uri: 'employee://three/profile' }),
      /parameter "id": value must be integer/,
    )
    await assert.rejects(client.readResource({ uri: 'nothing://here' }), /Resource not found/)
  })

  test('the prompt fills its {{placeholders}}, and a system message is sent as the user role', async () => {
    const { prompts } = await client.listPrompts()
    assert.deepEqual(prompts[0]?.arguments, [
      { name: 'department', description: 'The department', required: true },
    ])
    const prompt = await client.getPrompt({
      name: 'summarize_department',
      arguments: { department: 'Sales' },
    })
    assert.deepEqual(
      prompt.messages.map((m) => [m.role, m.content.type === 'text' ? m.content.text : '']),
      [
        ['user', 'You write short, factual summaries of the Sales department for new colleagues.'],
        [
          'user',
          'Call employees_by_department with department Sales, then summarize who works there and since when.',
        ],
      ],
    )
    await assert.rejects(
      client.getPrompt({ name: 'summarize_department', arguments: { department: 'Legal' } }),
      /parameter "department"/,
    )
  })
})
