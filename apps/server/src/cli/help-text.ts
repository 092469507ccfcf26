/** `mxcp --help`. */
export const HELP_TEXT = `mxcp: an MCP server with OAuth, serving tools, resources and prompts defined in YAML on DuckDB

Usage:
  mxcp serve [options]            serve the project over MCP (streamable HTTP on /mcp by default)
  mxcp config validate [options]  print the resolved configuration (secrets masked), or every problem
  mxcp --version                  the version
  mxcp --help                     this text

Options of both commands:
  --project DIR        the project folder holding mxcp-site.yml (default: the current folder)
  --profile NAME       the profile (default: MXCP_PROFILE, else the site's profile)

Options of serve (each overrides the configuration):
  --transport T        how MCP is served (default: transport.provider, else streamable-http):
                       streamable-http: /mcp, for remote clients (MCP sessions unless --stateless)
                       sse: the legacy HTTP+SSE transport (GET /sse, POST /messages), for old clients
                       stdio: standard input/output, for desktop clients; no OAuth, logs on stderr
  --port N             port to listen on (default: transport.http.port, 8000); 0 picks a free one
  --host H             address to listen on (default: transport.http.host, localhost)
  --debug              readable debug logs (otherwise JSON lines at level info)
  --sql-tools BOOL     true|false: serve execute_sql_query, list_tables, get_table_schema
  --readonly           open the DuckDB database read-only (also: MXCP_READONLY=true)
  --stateless          a fresh MCP server per request, no sessions (transport.http.stateless: true)
  --no-stateless       MCP sessions (Mcp-Session-Id; the default), the token checked on every request

Operating (on the profile's configuration; see the README's "Operating" section):
  mxcp log [--since 10m|2h|7d|ISO] [--user U] [--tool NAME] [--event E] [--status S] [--limit N] [--json]
                                  the audit trail (audit.enabled in the site profile), as a table
                                  or JSON lines
  mxcp auth clients [show ID | remove ID] [--json]
                                  registered clients; remove one with everything issued to it
  mxcp auth sessions [--user U] [--json]
                                  who is signed in (U: user id or username)
  mxcp auth revoke --user U | --client ID | --session ID [--json]
                                  end every session and token of it, at once, on every server
  mxcp auth reset [--yes]         delete the SQLite OAuth store: everyone signs in again
  (serve --debug: readable logs at level debug: each sign-in step, guard decision, upstream
  call and SQL statement; secrets stay redacted)

Configuration:
  mxcp-site.yml in the project folder names the project and profile. The user configuration
  (MXCP_CONFIG, default ~/.mxcp/config.yml) holds projects.<project>.profiles.<profile>.auth
  and transport; \${VAR} is replaced with the environment variable VAR. MXCP_PROFILE picks the
  profile, MXCP_READONLY=true opens DuckDB read-only.
`
