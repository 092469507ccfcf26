import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { resultJson } from './helpers/mcp-client.js'
import { closeAll, secretsOf, serveDebug, setUpOperating, signIn } from './helpers/operating-setup.js'

after(closeAll)

test('--debug logs every step of a sign-in and a tool call at level debug, and no secret reaches those lines', async (t) => {
  const setup = await setUpOperating()
  const { cli, url } = await serveDebug(setup)
  try {
    const { client, oauth } = await signIn(url)
    const rows = resultJson(
      await client.callTool({
        name: 'employees_by_department',
        arguments: { department: 'Engineering', limit: 2 },
      }),
    )
    assert.equal((rows as unknown[]).length, 2)
    const sqlRows = resultJson(
      await client.callTool({ name: 'execute_sql_query', arguments: { sql: 'SELECT * FROM range(3)' } }),
    )
    assert.equal((sqlRows as unknown[]).length, 3)
    const secrets = secretsOf(setup.github, oauth)
    assert.ok(secrets.length >= 5)
    await client.close()
    assert.equal((await cli.stop()).code, 0)

    const output = cli.stdout
    for (const step of [
      /DEBUG: authorization request accepted; consent page shown/,
      /DEBUG: redirecting to the provider/,
      /DEBUG: upstream callback received/,
      /DEBUG: upstream call\n[\s\S]*?"method": "POST",\n\s+"url": "http:\/\/127\.0\.0\.1:\d+\/login\/oauth\/access_token",\n\s+"status": 200/,
      /DEBUG: upstream code exchanged\n[\s\S]*?ms: [\d.]+/,
      /DEBUG: upstream user fetched\n[\s\S]*?ms: [\d.]+/,
      /INFO: user signed in/,
      /INFO: tokens issued/,
      /DEBUG: guard: request refused/, // the SDK's first request, before it has a token
      /DEBUG: guard: token accepted/,
      /DEBUG: SQL executed\n[\s\S]*?"rows": 2/,
      /DEBUG: tool call finished\n[\s\S]*?tool: "employees_by_department"[\s\S]*?status: "success"/,
      /DEBUG: SQL executed\n[\s\S]*?"rows": 3/, // the built-in SQL tool too
    ]) {
      assert.match(output, step)
    }
    for (const secret of secrets)
      assert.equal((cli.stdout + cli.stderr).includes(secret), false, 'a secret reached the logs')
    assert.doesNotMatch(output, /client_secret|code_verifier=|Bearer mxcp_/i)
  } catch (failure) {
    t.diagnostic(`mxcp output:\n${cli.stdout}\n${cli.stderr}`)
    throw failure
  }
})
