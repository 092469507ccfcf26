/**
 * Hostile SQL a signed-in caller may send to `execute_sql_query`, by class. Every statement
 * must be refused (a tool error) or be harmless; none may write a file, create an object,
 * change a setting, reach another user's identity or slow other users down.
 *
 * Placeholders, filled by {@link hostileSqlCorpus}: `{oauthDb}` the SQLite OAuth database,
 * `{keyFile}` its generated key file, `{home}` the server's home folder, `{project}` the
 * project folder, `{config}` the user config file, `{outside}` a folder outside both (a
 * test's own, so that it can check that nothing appeared there).
 */

/** The classes of the corpus; SECURITY.md has one section per class. */
export type HostileSqlClass =
  | 'file-read'
  | 'file-write'
  | 'extension'
  | 'setting'
  | 'shadowing'
  | 'transaction'
  | 'side-effect'
  | 'sql-from-string'
  | 'multi-statement'
  | 'long-query'

/** One hostile statement and what the server must answer. */
export interface HostileSql {
  readonly class: HostileSqlClass
  readonly sql: string
  /** How the tool error reads; `undefined` when the statement is harmless and may succeed. */
  readonly refusal: RegExp | undefined
}

const REFUSED = /^Refused: /
const NO_ACCESS = /^SQL error: Permission Error: .*disabled by configuration|^Refused: /
const TIMED_OUT = /time limit/
/** Refused by us, or stopped by DuckDB itself before anything ran (binder, catalog, access). */
const STOPPED = /^Refused: |^SQL error: (Permission|Catalog|Parser|Binder|Invalid Input) Error: /

const TEMPLATE: readonly HostileSql[] = [
  // Reading and listing files outside the data folder.
  { class: 'file-read', sql: "SELECT * FROM read_text('/etc/passwd')", refusal: NO_ACCESS },
  { class: 'file-read', sql: "SELECT * FROM read_blob('{oauthDb}')", refusal: NO_ACCESS },
  { class: 'file-read', sql: "SELECT * FROM read_blob('{oauthDb}-wal')", refusal: NO_ACCESS },
  { class: 'file-read', sql: "SELECT * FROM read_text('{keyFile}')", refusal: NO_ACCESS },
  { class: 'file-read', sql: "SELECT * FROM read_text('{oauthDb}.key')", refusal: NO_ACCESS },
  { class: 'file-read', sql: "SELECT * FROM read_text('{config}')", refusal: NO_ACCESS },
  {
    class: 'file-read',
    sql: "SELECT * FROM read_csv('/etc/passwd', delim = ':', header = false)",
    refusal: NO_ACCESS,
  },
  { class: 'file-read', sql: "SELECT * FROM read_json_auto('{home}/*.json')", refusal: NO_ACCESS },
  { class: 'file-read', sql: "SELECT * FROM glob('/*')", refusal: NO_ACCESS },
  { class: 'file-read', sql: "SELECT * FROM glob('{home}/**')", refusal: NO_ACCESS },
  { class: 'file-read', sql: "SELECT * FROM glob('{project}/data/../../**')", refusal: NO_ACCESS },
  {
    class: 'file-read',
    sql: "SELECT * FROM read_text('{project}/data/../mxcp-site.yml')",
    refusal: NO_ACCESS,
  },
  {
    class: 'file-read',
    sql: "SELECT * FROM read_text('data/../../../../../../etc/hostname')",
    refusal: NO_ACCESS,
  },
  { class: 'file-read', sql: "SELECT * FROM '/etc/passwd'", refusal: STOPPED },
  { class: 'file-read', sql: "SELECT * FROM read_parquet('{home}/x.parquet')", refusal: NO_ACCESS },
  { class: 'file-read', sql: "SELECT * FROM sniff_csv('/etc/passwd')", refusal: NO_ACCESS },
  { class: 'file-read', sql: "SELECT * FROM read_text('file:///etc/passwd')", refusal: NO_ACCESS },
  { class: 'file-read', sql: "SELECT * FROM read_text('http://127.0.0.1:1/secret')", refusal: NO_ACCESS },
  // Writing files, and changing the database.
  { class: 'file-write', sql: "COPY (SELECT 'auth: none') TO '{config}'", refusal: STOPPED },
  { class: 'file-write', sql: "COPY employees TO '{project}/data/stolen.csv'", refusal: REFUSED },
  { class: 'file-write', sql: "COPY employees TO '{outside}/stolen.csv'", refusal: STOPPED },
  { class: 'file-write', sql: "EXPORT DATABASE '{home}/dump'", refusal: STOPPED },
  { class: 'file-write', sql: "IMPORT DATABASE '{home}'", refusal: STOPPED },
  { class: 'file-write', sql: "ATTACH '{home}/new.duckdb' AS other", refusal: REFUSED },
  { class: 'file-write', sql: "ATTACH '{oauthDb}' AS oauth (TYPE sqlite)", refusal: REFUSED },
  { class: 'file-write', sql: 'DETACH memory', refusal: REFUSED },
  { class: 'file-write', sql: 'CREATE TABLE stolen AS SELECT * FROM employees', refusal: REFUSED },
  { class: 'file-write', sql: "INSERT INTO employees (id, name) VALUES (99, 'Mallory')", refusal: REFUSED },
  { class: 'file-write', sql: "UPDATE employees SET github_login = 'mallory'", refusal: REFUSED },
  { class: 'file-write', sql: 'DELETE FROM employees', refusal: REFUSED },
  { class: 'file-write', sql: 'DROP TABLE employees', refusal: REFUSED },
  { class: 'file-write', sql: 'ALTER TABLE employees RENAME TO gone', refusal: REFUSED },
  { class: 'file-write', sql: 'CHECKPOINT', refusal: REFUSED },
  { class: 'file-write', sql: 'VACUUM', refusal: REFUSED },
  { class: 'file-write', sql: 'SELECT * FROM force_checkpoint()', refusal: REFUSED },
  // Extensions.
  { class: 'extension', sql: 'INSTALL httpfs', refusal: REFUSED },
  { class: 'extension', sql: 'LOAD httpfs', refusal: REFUSED },
  { class: 'extension', sql: 'FORCE INSTALL httpfs', refusal: REFUSED },
  { class: 'extension', sql: 'INSTALL quack FROM community', refusal: REFUSED },
  { class: 'extension', sql: "LOAD '{home}/evil.duckdb_extension'", refusal: REFUSED },
  { class: 'extension', sql: 'UPDATE EXTENSIONS', refusal: REFUSED },
  { class: 'extension', sql: "SELECT * FROM read_text('https://example.com/')", refusal: NO_ACCESS },
  { class: 'extension', sql: "SELECT * FROM read_parquet('s3://bucket/x.parquet')", refusal: NO_ACCESS },
  // Settings.
  { class: 'setting', sql: 'SET enable_external_access = true', refusal: REFUSED },
  { class: 'setting', sql: 'RESET enable_external_access', refusal: REFUSED },
  { class: 'setting', sql: "SET allowed_directories = ['/']", refusal: REFUSED },
  { class: 'setting', sql: 'SET lock_configuration = false', refusal: REFUSED },
  { class: 'setting', sql: "SET search_path = 'temp,main'", refusal: REFUSED },
  { class: 'setting', sql: 'USE system', refusal: REFUSED },
  { class: 'setting', sql: 'SET VARIABLE who = 1', refusal: REFUSED },
  { class: 'setting', sql: 'PRAGMA enable_logging', refusal: STOPPED },
  { class: 'setting', sql: 'PRAGMA version', refusal: REFUSED },
  { class: 'setting', sql: 'CALL enable_logging()', refusal: REFUSED },
  { class: 'setting', sql: 'SELECT * FROM enable_logging()', refusal: REFUSED },
  { class: 'setting', sql: 'SELECT * FROM enable_profiling()', refusal: REFUSED },
  { class: 'setting', sql: 'SELECT * FROM duckdb_logs', refusal: REFUSED },
  { class: 'setting', sql: "SELECT * FROM duckdb_logs_parsed('QueryLog')", refusal: REFUSED },
  { class: 'setting', sql: 'SELECT * FROM duckdb_secrets(redact = false)', refusal: STOPPED },
  { class: 'setting', sql: "PREPARE steal AS SELECT 'x'", refusal: REFUSED },
  // Macros and functions named like the user functions, in every schema on the search path.
  { class: 'shadowing', sql: "CREATE MACRO get_username() AS 'grace'", refusal: REFUSED },
  { class: 'shadowing', sql: "CREATE TEMP MACRO get_username() AS 'grace'", refusal: REFUSED },
  {
    class: 'shadowing',
    sql: "CREATE OR REPLACE MACRO main.get_user_external_token() AS 'x'",
    refusal: REFUSED,
  },
  { class: 'shadowing', sql: "CREATE MACRO temp.main.get_user_email() AS 'x'", refusal: STOPPED },
  { class: 'shadowing', sql: "CREATE MACRO system.main.get_user_id() AS 'x'", refusal: STOPPED },
  { class: 'shadowing', sql: "CREATE FUNCTION get_user_name() AS 'x'", refusal: REFUSED },
  { class: 'shadowing', sql: "CREATE MACRO get_user_provider() AS TABLE SELECT 'x'", refusal: REFUSED },
  { class: 'shadowing', sql: 'CREATE SCHEMA shadow', refusal: REFUSED },
  { class: 'shadowing', sql: "CREATE TEMP VIEW employees AS SELECT 'x' AS name", refusal: REFUSED },
  { class: 'shadowing', sql: "CREATE TEMP TABLE employees AS SELECT 'x' AS name", refusal: REFUSED },
  { class: 'shadowing', sql: 'DROP MACRO get_username', refusal: STOPPED },
  // Transactions.
  { class: 'transaction', sql: 'BEGIN', refusal: REFUSED },
  { class: 'transaction', sql: 'BEGIN TRANSACTION', refusal: REFUSED },
  { class: 'transaction', sql: 'START TRANSACTION', refusal: REFUSED },
  { class: 'transaction', sql: 'COMMIT', refusal: REFUSED },
  { class: 'transaction', sql: 'ROLLBACK', refusal: REFUSED },
  { class: 'transaction', sql: 'ABORT', refusal: REFUSED },
  // Functions with side effects, wherever they hide in a query.
  { class: 'side-effect', sql: "SELECT nextval('seq')", refusal: /^Refused: |Catalog Error/ },
  { class: 'side-effect', sql: 'SELECT setseed(0.5)', refusal: REFUSED },
  { class: 'side-effect', sql: "SELECT write_log('x')", refusal: REFUSED },
  { class: 'side-effect', sql: 'SELECT random()', refusal: REFUSED },
  { class: 'side-effect', sql: 'SELECT uuid()', refusal: REFUSED },
  { class: 'side-effect', sql: 'SELECT current_query()', refusal: REFUSED },
  { class: 'side-effect', sql: 'SELECT sleep_ms(100)', refusal: REFUSED },
  { class: 'side-effect', sql: 'SELECT * FROM (SELECT setseed(0.1)) s', refusal: REFUSED },
  { class: 'side-effect', sql: 'WITH x AS (SELECT setseed(0.1)) SELECT * FROM x', refusal: REFUSED },
  { class: 'side-effect', sql: 'SELECT list_transform([1, 2], v -> setseed(0.1))', refusal: REFUSED },
  { class: 'side-effect', sql: 'EXPLAIN ANALYZE SELECT setseed(0.1)', refusal: REFUSED },
  {
    class: 'side-effect',
    sql: 'SELECT name FROM employees WHERE id = (SELECT setseed(0.2))',
    refusal: REFUSED,
  },
  // Functions that run SQL held in a string.
  { class: 'sql-from-string', sql: "SELECT * FROM query('SELECT 1')", refusal: REFUSED },
  { class: 'sql-from-string', sql: "SELECT * FROM query('SELECT setseed(0.1)')", refusal: REFUSED },
  { class: 'sql-from-string', sql: "SELECT * FROM query_table('employees')", refusal: REFUSED },
  {
    class: 'sql-from-string',
    sql: "SELECT * FROM query_table(['employees', 'employees'])",
    refusal: REFUSED,
  },
  { class: 'sql-from-string', sql: "FROM system.main.query('SELECT 1')", refusal: REFUSED },
  { class: 'sql-from-string', sql: "SELECT (SELECT count(*) FROM QUERY('SELECT 1'))", refusal: REFUSED },
  { class: 'sql-from-string', sql: "EXPLAIN ANALYZE SELECT * FROM query('SELECT 1')", refusal: REFUSED },
  {
    class: 'sql-from-string',
    sql: "SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT 1'))",
    refusal: REFUSED,
  },
  // Several statements in one call.
  { class: 'multi-statement', sql: 'SELECT 1; SELECT 2', refusal: REFUSED },
  { class: 'multi-statement', sql: 'SELECT 1; DROP TABLE employees', refusal: REFUSED },
  { class: 'multi-statement', sql: "SELECT 1; CREATE TEMP MACRO get_username() AS 'x'", refusal: REFUSED },
  { class: 'multi-statement', sql: 'BEGIN; SELECT * FROM employees', refusal: REFUSED },
  { class: 'multi-statement', sql: "SELECT 1 /* ; */; SET search_path = 'temp'", refusal: REFUSED },
  { class: 'multi-statement', sql: "SELECT ';'; COPY employees TO '{outside}/x.csv'", refusal: REFUSED },
  // Queries that would hold a connection for long.
  { class: 'long-query', sql: 'SELECT count(*) FROM range(1000000000000)', refusal: TIMED_OUT },
  {
    class: 'long-query',
    sql: 'SELECT count(*) FROM range(100000000) a, range(100000000) b',
    refusal: TIMED_OUT,
  },
  {
    class: 'long-query',
    sql: 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r',
    refusal: TIMED_OUT,
  },
  // Harmless: a caller may read the data folder, its own identity and the locked settings.
  {
    class: 'file-read',
    sql: "SELECT count(*) AS n FROM read_csv('{project}/data/employees.csv')",
    refusal: undefined,
  },
  { class: 'setting', sql: "SELECT current_setting('enable_external_access') AS open", refusal: undefined },
  { class: 'shadowing', sql: 'SELECT get_username(), get_user_external_token()', refusal: undefined },
]

/** Where the secrets and files named by the corpus are. */
export interface HostileSqlPlaces {
  readonly oauthDb: string
  readonly keyFile: string
  readonly home: string
  readonly project: string
  readonly config: string
  /** A folder of the test's own outside the project and home folders. */
  readonly outside: string
}

/** The corpus with its placeholders filled (quotes in paths doubled for SQL). */
export function hostileSqlCorpus(places: HostileSqlPlaces): HostileSql[] {
  const fill = (sql: string): string =>
    sql.replace(/\{(oauthDb|keyFile|home|project|config|outside)\}/g, (_, key: keyof HostileSqlPlaces) =>
      places[key].replaceAll("'", "''"),
    )
  return TEMPLATE.map((entry) => ({ ...entry, sql: fill(entry.sql) }))
}

/** The corpus without the long queries (for runs that interleave it with other users' calls). */
export function quickHostileSql(places: HostileSqlPlaces): HostileSql[] {
  return hostileSqlCorpus(places).filter((entry) => entry.class !== 'long-query')
}
