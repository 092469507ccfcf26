import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import pino from 'pino'
import { loggableArguments, recordOfAuthEvent } from '../src/audit/audit-record.js'
import { AuditWriter, REOPEN_AFTER_MS } from '../src/audit/audit-writer.js'
import { readAuditLog } from '../src/audit/read-audit-log.js'
import { parseOperatorArguments, parseSince } from '../src/cli/operator-arguments.js'
import { UsageError } from '../src/cli/parse-arguments.js'
import { countAuthEvent, ServerMetrics } from '../src/observability/metrics.js'
import { newRequestId } from '../src/observability/request-id.js'
import { tempDir } from './helpers/example-project.js'

const dir = tempDir('mxcp-operating-')
after(() => dir.dispose())

const NOW = Date.UTC(2026, 5, 1, 12)

describe('operator command lines', () => {
  test('--since takes a duration back from now or an ISO time, and nothing else', () => {
    assert.equal(parseSince('10m', NOW), NOW - 600_000)
    assert.equal(parseSince('2h', NOW), NOW - 7_200_000)
    assert.equal(parseSince('7d', NOW), NOW - 7 * 86_400_000)
    assert.equal(parseSince('2026-06-01T00:00:00Z', NOW), Date.UTC(2026, 5, 1))
    for (const bad of ['yesterday', '10', '-5m', '1w', '06/01/2026'])
      assert.throws(() => parseSince(bad, NOW), UsageError)
  })

  test('auth revoke takes exactly one of --user, --client, --session, none of them empty', () => {
    assert.deepEqual(parseOperatorArguments(['auth', 'revoke', '--session', 's1']), {
      name: 'auth-revoke',
      project: { projectDir: undefined, profile: undefined },
      json: false,
      target: { session: 's1' },
    })
    for (const argv of [
      ['auth', 'revoke'],
      ['auth', 'revoke', '--user', 'ada', '--client', 'c'],
      ['auth', 'revoke', '--user', ''],
      ['auth', 'revoke', '--since', '1h', '--user', 'ada'],
      ['auth', 'clients', 'remove'],
      ['auth', 'sessions', '--client', 'c'],
      ['auth', 'logout'],
      ['log', '--limit', '0'],
      ['log', '--yes'],
    ])
      assert.throws(() => parseOperatorArguments(argv, NOW), UsageError, argv.join(' '))
  })

  test('log filters are read as given', () => {
    const command = parseOperatorArguments(
      [
        'log',
        '--since',
        '1h',
        '--user',
        'ada',
        '--tool',
        'whoami',
        '--status',
        'error',
        '--limit',
        '5',
        '--json',
      ],
      NOW,
    )
    assert.deepEqual(command, {
      name: 'log',
      project: { projectDir: undefined, profile: undefined },
      json: true,
      filters: {
        since: NOW - 3_600_000,
        user: 'ada',
        tool: 'whoami',
        event: undefined,
        status: 'error',
        limit: 5,
      },
    })
  })
})

describe('the audit file', () => {
  test('reading skips a torn last line and keeps the latest matches up to --limit', async () => {
    const path = join(dir.path, 'read.jsonl')
    const line = (minute: number, extra: object) =>
      JSON.stringify({
        timestamp: new Date(NOW + minute * 60_000).toISOString(),
        status: 'success',
        ...extra,
      })
    writeFileSync(
      path,
      [
        line(0, { event: 'tool', name: 'whoami', username: 'Ada', user_id: '1' }),
        line(1, { event: 'tool', name: 'other', username: 'grace', user_id: '2' }),
        line(2, { event: 'sign_in', username: 'ada', user_id: '1' }),
        'not json',
        line(3, { event: 'tool', name: 'whoami', username: 'ada', user_id: '1', status: 'error' }),
        '{"timestamp":"2026-06-01T12:04:00Z","event":"to',
      ].join('\n'),
    )
    assert.equal((await readAuditLog(path, {})).length, 4)
    assert.deepEqual(
      (await readAuditLog(path, { user: 'ADA', limit: 2 })).map((record) => record.event),
      ['sign_in', 'tool'],
    )
    assert.equal((await readAuditLog(path, { since: NOW + 90_000 })).length, 2)
    assert.equal((await readAuditLog(path, { tool: 'whoami', status: 'error' })).length, 1)
    assert.deepEqual(await readAuditLog(join(dir.path, 'absent.jsonl'), {}), [])
  })

  test('a writer whose file fails warns once, drops lines, and writes again once the file can be opened', async () => {
    const logged: Record<string, unknown>[] = []
    const log = pino({ level: 'warn' }, { write: (text: string) => logged.push(JSON.parse(text)) })
    let now = NOW
    const path = join(dir.path, 'blocked', 'audit.jsonl')
    mkdirSync(path, { recursive: true }) // a folder where the file should be
    const writer = new AuditWriter(path, log, () => now)
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.equal(logged.length, 1, 'one warn line for the failure')
    writer.write({ timestamp: new Date(now).toISOString(), event: 'tool', status: 'success' })
    assert.equal(writer.dropped, 1)
    rmSync(path, { recursive: true })
    now += REOPEN_AFTER_MS
    writer.write({ timestamp: new Date(now).toISOString(), event: 'tool', status: 'success', name: 'back' })
    await writer.close()
    assert.deepEqual(
      readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .map((text) => JSON.parse(text).name),
      ['back'],
    )
  })

  test('recorded arguments never carry the values of secret-looking keys, at any depth', () => {
    assert.deepEqual(
      loggableArguments({ query: 'x', api_key: 'k', nested: [{ password: 'p', Token: 't', keep: 1 }] }),
      {
        query: 'x',
        api_key: '[redacted]',
        nested: [{ password: '[redacted]', Token: '[redacted]', keep: 1 }],
      },
    )
  })
})

describe('housekeeping in the audit trail and the metrics', () => {
  test('an expired registration is an audit line; what a sweep removed is counted by kind', async () => {
    assert.deepEqual(
      recordOfAuthEvent(
        { type: 'client_expired', clientId: 'c-1', requestId: 'sweep' },
        new Date(Date.UTC(2026, 0, 1)),
      ),
      {
        timestamp: '2026-01-01T00:00:00.000Z',
        event: 'client_expired',
        request_id: undefined,
        status: 'success',
        client_id: 'c-1',
      },
    )
    const metrics = new ServerMetrics()
    countAuthEvent(metrics, { type: 'sweep', counts: { tokens: 3, codes: 0 }, requestId: 'sweep' })
    countAuthEvent(metrics, { type: 'client_expired', clientId: 'c-1', requestId: 'sweep' })
    const text = await metrics.registry.metrics()
    assert.match(text, /mxcp_swept_total\{kind="tokens"\} 3/)
    assert.match(text, /mxcp_swept_total\{kind="expired_registrations"\} 1/)
    assert.doesNotMatch(text, /kind="codes"/)
  })
})

describe('request ids', () => {
  test('each request gets its own id of 12 hex characters, as error pages quote it', () => {
    const ids = Array.from({ length: 100_000 }, () => newRequestId())
    for (const id of ids.slice(0, 1000)) assert.match(id, /^[0-9a-f]{12}$/)
    assert.equal(new Set(ids).size, ids.length, 'no id repeats')
  })
})
