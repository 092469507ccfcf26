import assert from 'node:assert/strict'
import { readFileSync, statSync } from 'node:fs'
import { after, test } from 'node:test'
import { resultJson } from './helpers/mcp-client.js'
import {
  closeAll,
  operator,
  postForm,
  secretsOf,
  serve,
  setUpOperating,
  signIn,
} from './helpers/operating-setup.js'

after(closeAll)

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}

test('the audit file holds the events of a scripted session (sign-in, calls, refresh, revoke, replay), and mxcp log filters them', async (t) => {
  const setup = await setUpOperating({ audit: true, includeArguments: true })
  const { cli, url } = await serve(setup)
  try {
    const { client, oauth } = await signIn(url)
    assert.deepEqual(resultJson(await client.callTool({ name: 'whoami', arguments: {} })), {
      username: 'ada',
      email: 'ada@example.com',
      provider: 'github',
      employee: 'Ada Lovelace',
    })
    await client.callTool({
      name: 'employees_by_department',
      arguments: { department: 'Engineering', limit: 1 },
    })
    const refused = await client.callTool({
      name: 'employees_by_department',
      arguments: { department: 'Nope' },
    })
    assert.equal(refused.isError, true)
    const clientId = oauth.clientInformation()?.client_id ?? ''
    const first = oauth.tokens()
    const secrets = secretsOf(setup.github, oauth)

    const refreshed = await postForm(url, '/token', {
      grant_type: 'refresh_token',
      refresh_token: first?.refresh_token ?? '',
      client_id: clientId,
      resource: url,
    })
    assert.equal(refreshed.status, 200)
    const second = (await refreshed.json()) as { access_token: string; refresh_token: string }
    const revoked = await postForm(url, '/revoke', { token: second.access_token, client_id: clientId })
    assert.equal(revoked.status, 200)
    // Once its successor is used, the first refresh token coming back is reuse (no grace window).
    const again = await postForm(url, '/token', {
      grant_type: 'refresh_token',
      refresh_token: second.refresh_token,
      client_id: clientId,
      resource: url,
    })
    assert.equal(again.status, 200)
    const replay = await postForm(url, '/token', {
      grant_type: 'refresh_token',
      refresh_token: first?.refresh_token ?? '',
      client_id: clientId,
      resource: url,
    })
    assert.equal(replay.status, 400)
    await client.close()
    assert.equal((await cli.stop()).code, 0)

    const text = readFileSync(setup.auditPath, 'utf8')
    assert.equal(statSync(setup.auditPath).mode & 0o777, 0o600, 'the audit file is private')
    const lines = jsonLines(text)
    assert.deepEqual(
      lines.map((line) => `${line['event']}:${line['status']}`),
      [
        'client_registered:success',
        'sign_in:success',
        'token_issued:success',
        'tool:success',
        'tool:success',
        'tool:error',
        'token_refreshed:success',
        'token_revoked:success',
        'token_refreshed:success',
        'replay_detected:refused',
      ],
    )
    const signInLine = lines[1] ?? {}
    assert.equal(signInLine['username'], 'ada')
    assert.equal(signInLine['user_id'], '1815')
    assert.equal(signInLine['client_id'], clientId)
    const [whoami, listing, failed] = lines.filter((line) => line['event'] === 'tool')
    assert.equal(whoami?.['name'], 'whoami')
    assert.equal(whoami?.['username'], 'ada')
    assert.equal(whoami?.['provider'], 'github')
    assert.equal(whoami?.['client_id'], clientId)
    assert.equal(typeof whoami?.['duration_ms'], 'number')
    assert.deepEqual(listing?.['arguments'], { department: 'Engineering', limit: 1 })
    assert.match(String(failed?.['reason']), /department/)
    assert.equal(lines[9]?.['what'], 'refresh_token')
    assert.ok(Number(lines[9]?.['revoked_tokens']) >= 1, 'the replay revoked the family')
    for (const secret of [...secrets, second.access_token, second.refresh_token])
      assert.equal(text.includes(secret), false, 'a secret reached the audit file')

    const tools = await operator(setup, 'log', '--event', 'tool', '--json')
    assert.equal(tools.code, 0, tools.stderr)
    assert.equal(jsonLines(tools.stdout).length, 3)
    const errors = jsonLines((await operator(setup, 'log', '--status', 'error', '--json')).stdout)
    assert.deepEqual(
      errors.map((line) => line['name']),
      ['employees_by_department'],
    )
    const byTool = jsonLines((await operator(setup, 'log', '--tool', 'whoami', '--json')).stdout)
    assert.equal(byTool.length, 1)
    const byUser = jsonLines(
      (await operator(setup, 'log', '--user', 'ADA', '--since', '1h', '--json')).stdout,
    )
    assert.deepEqual(
      byUser.map((line) => line['event']),
      ['sign_in', 'tool', 'tool', 'tool'],
    )
    const future = await operator(setup, 'log', '--since', '2999-01-01T00:00:00Z', '--json')
    assert.equal(future.stdout.trim(), '')
    const last = jsonLines((await operator(setup, 'log', '--limit', '1', '--json')).stdout)
    assert.equal(last[0]?.['event'], 'replay_detected')
    const table = await operator(setup, 'log', '--event', 'replay_detected')
    assert.match(table.stdout, /^TIME\s+EVENT\s+STATUS\s+USER\s+CLIENT/)
    assert.match(table.stdout, /replay_detected\s+refused/)
    const bad = await operator(setup, 'log', '--since', 'yesterday')
    assert.equal(bad.code, 2)
  } catch (failure) {
    t.diagnostic(`mxcp output:\n${cli.stdout}\n${cli.stderr}`)
    throw failure
  }
})

test('an audit file that cannot be written is a warn line, not a failure: the server serves on', async (t) => {
  const setup = await setUpOperating({ audit: true })
  // The audit path is taken by a folder: every open fails.
  const { mkdirSync } = await import('node:fs')
  mkdirSync(setup.auditPath, { recursive: true })
  const { cli, url } = await serve(setup)
  try {
    const { client } = await signIn(url)
    assert.equal(
      (resultJson(await client.callTool({ name: 'whoami', arguments: {} })) as { username: string }).username,
      'ada',
    )
    await client.close()
    assert.equal((await cli.stop()).code, 0)
    const warn = cli
      .logLines()
      .find(
        (line) =>
          line['msg'] === 'audit log: writing failed; lines are dropped until the file can be written',
      )
    assert.ok(warn, 'the failure is logged')
    assert.equal(warn['level'], 40)
  } catch (failure) {
    t.diagnostic(`mxcp output:\n${cli.stdout}\n${cli.stderr}`)
    throw failure
  }
})
