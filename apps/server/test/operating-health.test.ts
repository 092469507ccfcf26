import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { get as httpGet } from 'node:http'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { githubEnv } from './helpers/github-auth.js'
import { startInProcess } from './helpers/in-process-server.js'
import { resultJson } from './helpers/mcp-client.js'
import { cleanups, closeAll, serve, setUpOperating, signIn } from './helpers/operating-setup.js'
import { freshDatabase, startTcpProxy } from './helpers/postgres.js'
import { startCli } from './helpers/spawn-cli.js'
import { postgresPersistence, writeDemoAuthConfig } from './helpers/user-config.js'

after(closeAll)

async function getJson(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { headers })
  const text = await response.text()
  return {
    status: response.status,
    body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
  }
}

/** The status of a GET sent with `host` as its Host header (fetch will not set one). */
function statusWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpGet(url, { headers: { host } }, (response) => {
      response.resume()
      resolve(response.statusCode ?? 0)
    })
    request.on('error', reject)
  })
}

/** Polls `/readyz` until it answers `status` (the pool notices a restored database on its next try). */
async function readyzBecomes(base: string, status: number): Promise<{ status: number; body: unknown }> {
  let last = await getJson(`${base}/readyz`)
  for (let attempt = 0; attempt < 40 && last.status !== status; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 250))
    last = await getJson(`${base}/readyz`)
  }
  return last
}

test('/healthz answers while the process runs; /readyz turns 503 when the PostgreSQL store is unreachable and back to 200, telling an attacker nothing', async (t) => {
  const database = await freshDatabase()
  cleanups.push(() => database.drop())
  const proxy = await startTcpProxy(database.url)
  cleanups.push(() => proxy.close())
  const setup = await setUpOperating()
  const config = writeDemoAuthConfig(join(setup.project.path, 'config-pg.yml'), {
    provider: 'github',
    github: { client_id: '${GITHUB_CLIENT_ID}', client_secret: '${GITHUB_CLIENT_SECRET}' },
    persistence: postgresPersistence(proxy.via(database.url)),
  })
  const cli = startCli(['serve', '--project', setup.project.path, '--host', '127.0.0.1', '--port', '0'], {
    ...githubEnv(setup.github),
    HOME: setup.project.path,
    MXCP_CONFIG: config,
  })
  cleanups.push(() => cli.stop())
  try {
    const base = new URL(await cli.url()).origin
    assert.deepEqual(await getJson(`${base}/healthz`), { status: 200, body: { status: 'ok' } })
    assert.deepEqual(await getJson(`${base}/readyz`), { status: 200, body: { status: 'ready' } })
    assert.equal(await statusWithHost(`${base}/healthz`, '10.1.2.3:8000'), 200, 'a probe with its own Host')
    assert.equal(await statusWithHost(`${base}/readyz`, '10.1.2.3:8000'), 200)
    assert.equal(
      await statusWithHost(`${base}/mcp`, '10.1.2.3:8000'),
      400,
      'other routes keep the host check',
    )

    proxy.cut()
    const down = await readyzBecomes(base, 503)
    assert.deepEqual(down, { status: 503, body: { status: 'unavailable' } }, 'no name, error or version')
    assert.deepEqual(await getJson(`${base}/healthz`), { status: 200, body: { status: 'ok' } })

    proxy.restore()
    assert.deepEqual(await readyzBecomes(base, 200), { status: 200, body: { status: 'ready' } })
    await cli.stop()
    const notReady = cli.logLines().find((line) => line['msg'] === 'not ready: a dependency does not answer')
    assert.ok(notReady, 'the log says which dependency failed')
    assert.deepEqual(Object.keys(notReady['failed'] as object), ['store'])
    assert.ok(cli.logLines().some((line) => line['msg'] === 'ready again: every dependency answers'))
    assert.equal(
      cli.logLines().filter((line) => (line['req'] as { url?: string } | undefined)?.url?.endsWith('z'))
        .length,
      0,
      'probes do not fill the request log',
    )
  } catch (failure) {
    t.diagnostic(`mxcp output:\n${cli.stdout}\n${cli.stderr}`)
    throw failure
  }
})

function enableMetrics(projectDir: string, settings: string): void {
  const site = join(projectDir, 'mxcp-site.yml')
  writeFileSync(site, `${readFileSync(site, 'utf8').trimEnd()}\n    metrics:\n${settings}`)
}

test('metrics on their own listener count requests by route, sign-ins by outcome, upstream and SQL latency and pool waits', async (t) => {
  const setup = await setUpOperating()
  enableMetrics(setup.project.path, '      enabled: true\n      port: 0\n')
  const { cli, url } = await serve(setup)
  try {
    const { client } = await signIn(url)
    assert.equal(
      (resultJson(await client.callTool({ name: 'whoami', arguments: {} })) as { username: string }).username,
      'ada',
    )
    await client.close()
    const deadline = Date.now() + 5000
    let port: unknown
    while (port === undefined && Date.now() < deadline) {
      port = cli.logLines().find((line) => line['metricsPort'] !== undefined)?.['metricsPort']
      if (port === undefined) await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const scrape = await fetch(`http://127.0.0.1:${String(port)}/metrics`)
    assert.equal(scrape.status, 200)
    const text = await scrape.text()
    assert.match(text, /mxcp_http_requests_total\{route="\/mcp",method="POST",status="200"\} \d+/)
    assert.match(text, /mxcp_http_requests_total\{route="\/token",method="POST",status="200"\} 1/)
    assert.match(text, /mxcp_sign_ins_total\{outcome="success",step=""\} 1/)
    assert.match(text, /mxcp_tokens_total\{event="issued"\} 1/)
    assert.match(text, /mxcp_upstream_request_duration_seconds_count\{provider="github",status="200"\} [1-9]/)
    assert.match(text, /mxcp_sql_duration_seconds_count\{item="whoami"\} 1/)
    assert.match(text, /mxcp_duckdb_pool_wait_seconds_count [1-9]/)
    assert.equal((await fetch(new URL('/metrics', url))).status, 404, 'not on the public listener')
  } catch (failure) {
    t.diagnostic(`mxcp output:\n${cli.stdout}\n${cli.stderr}`)
    throw failure
  }
})

test('metrics on the main listener need MXCP_METRICS_TOKEN: 401 without it, and no token configured stops start-up', async (t) => {
  const setup = await setUpOperating()
  enableMetrics(setup.project.path, '      enabled: true\n')
  // Composed in this process as serve would: start-up stops before anything listens.
  await assert.rejects(
    startInProcess({
      projectDir: setup.project.path,
      userConfigPath: setup.env['MXCP_CONFIG'] ?? '',
      env: setup.env,
    }),
    /MXCP_METRICS_TOKEN of at least 16 characters/,
  )

  const token = 'metrics-token-0123456789abcdef'
  const cli = startCli(['serve', '--project', setup.project.path, '--host', '127.0.0.1', '--port', '0'], {
    ...setup.env,
    MXCP_METRICS_TOKEN: token,
  })
  cleanups.push(() => cli.stop())
  try {
    const metrics = new URL('/metrics', await cli.url()).href
    assert.equal((await fetch(metrics)).status, 401)
    assert.equal(
      (await fetch(metrics, { headers: { authorization: 'Bearer wrong-token-0123456789abc' } })).status,
      401,
    )
    const scrape = await fetch(metrics, { headers: { authorization: `Bearer ${token}` } })
    assert.equal(scrape.status, 200)
    assert.match(await scrape.text(), /# TYPE mxcp_http_requests_total counter/)
  } catch (failure) {
    t.diagnostic(`mxcp output:\n${cli.stdout}\n${cli.stderr}`)
    throw failure
  }
})
