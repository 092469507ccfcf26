import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import {
  CallToolResultSchema,
  LoggingMessageNotificationSchema,
  type Progress,
} from '@modelcontextprotocol/sdk/types.js'
import { copyExampleProject, type TempDir } from './helpers/example-project.js'
import { type RunningServer, startInProcess } from './helpers/in-process-server.js'
import { connectAnonymous } from './helpers/mcp-client.js'

describe('MCP utilities in a session: completion/complete, logging/setLevel, progress', () => {
  let project: TempDir
  let running: RunningServer
  let client: Client
  const logged: { level: string; data: unknown }[] = []

  before(async () => {
    project = copyExampleProject()
    running = await startInProcess({ projectDir: project.path })
    client = await connectAnonymous(running.url)
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      logged.push(notification.params)
    })
  })
  after(async () => {
    await client?.close()
    await running?.close()
    project?.dispose()
  })

  test('the server declares logging and completions', () => {
    const capabilities = client.getServerCapabilities()
    assert.deepEqual(capabilities?.logging, {})
    assert.deepEqual(capabilities?.completions, {})
  })

  test('a prompt argument completes from its enum values that start with what was typed (ASCII case ignored)', async () => {
    const ref = { type: 'ref/prompt' as const, name: 'summarize_department' }
    const some = await client.complete({ ref, argument: { name: 'department', value: 'e' } })
    assert.deepEqual(some.completion, { values: ['Engineering'], total: 1, hasMore: false })
    const all = await client.complete({ ref, argument: { name: 'department', value: '' } })
    assert.deepEqual(all.completion.values, ['Engineering', 'Sales', 'Marketing'])
    const none = await client.complete({ ref, argument: { name: 'department', value: 'zz' } })
    assert.deepEqual(none.completion.values, [])
  })

  test('a resource-template variable without known values completes to nothing; an unknown prompt or template is an error', async () => {
    const template = await client.complete({
      ref: { type: 'ref/resource', uri: 'employee://{id}/profile' },
      argument: { name: 'id', value: '1' },
    })
    assert.deepEqual(template.completion.values, [])
    await assert.rejects(
      client.complete({ ref: { type: 'ref/prompt', name: 'nope' }, argument: { name: 'x', value: '' } }),
      /Unknown prompt: nope/,
    )
    await assert.rejects(
      client.complete({ ref: { type: 'ref/resource', uri: 'x://{y}' }, argument: { name: 'y', value: '' } }),
      /Unknown resource template: x:\/\/\{y\}/,
    )
  })

  test('before logging/setLevel a tool call sends no log messages; after it, the steps at or above the level', async () => {
    const call = { name: 'employees_by_department', arguments: { department: 'Sales' } }
    logged.length = 0
    await client.callTool(call)
    assert.equal(logged.length, 0, 'no log message before logging/setLevel')

    assert.deepEqual(await client.setLoggingLevel('info'), {})
    await client.callTool(call)
    assert.deepEqual(
      logged.map((entry) => [entry.level, (entry.data as { message: string }).message]),
      [
        ['info', 'tool started'],
        ['info', 'tool finished'],
      ],
    )

    logged.length = 0
    await client.setLoggingLevel('debug')
    await client.callTool(call)
    assert.deepEqual(
      logged.map((entry) => (entry.data as { message: string }).message),
      ['tool started', 'query answered', 'tool finished'],
    )
    assert.equal(
      (logged[1]?.data as { rows?: number } | undefined)?.rows,
      3,
      'the query step says how many rows came back',
    )
  })

  test('a tool call with a progressToken reports progress 0, 1, 2 of 2 before its result', async () => {
    const progress: Progress[] = []
    await client.request(
      { method: 'tools/call', params: { name: 'whoami', arguments: {} } },
      CallToolResultSchema,
      { onprogress: (update) => progress.push(update) },
    )
    assert.deepEqual(
      progress.map((update) => [update.progress, update.total]),
      [
        [0, 2],
        [1, 2],
        [2, 2],
      ],
    )
  })
})
