/**
 * The GitHub stand-in of `@mxcp/testing` in a process of its own, so that answering logins never
 * takes CPU from the bench's other processes' measurements. Prints one JSON line (`StandInInfo`),
 * then serves until SIGTERM.
 */
import { GitHubStandIn } from '@mxcp/testing/stand-ins/github'

const github = await new GitHubStandIn({
  user: {
    id: 1815,
    login: 'ada',
    name: 'Ada Lovelace',
    email: null,
    emails: [{ email: 'ada@example.com', primary: true, verified: true, visibility: 'private' }],
    orgs: ['analytical-engines'],
  },
}).start()
console.log(
  JSON.stringify({
    url: github.url,
    apiUrl: github.apiUrl,
    clientId: github.clientId,
    clientSecret: github.clientSecret,
  }),
)
process.once('SIGTERM', () => {
  void github.close().finally(() => process.exit(0))
})
