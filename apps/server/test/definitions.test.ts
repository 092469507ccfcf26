import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { DefinitionError } from '../src/definitions/definition-error.js'
import { loadDefinitions } from '../src/definitions/load-definitions.js'
import { EXAMPLES_DIR, tempDir, writeFiles } from './helpers/example-project.js'

const PATHS = { tools: 'tools', resources: 'resources', prompts: 'prompts' }
const dirs: { dispose(): void }[] = []
after(() => {
  for (const dir of dirs) dir.dispose()
})

/** The problems loading a project made of `files` reports (none: []). */
function problemsOf(files: Record<string, string>, reservedToolNames: string[] = []): readonly string[] {
  const dir = tempDir('mxcp-definitions-')
  dirs.push(dir)
  writeFiles(dir.path, files)
  try {
    loadDefinitions({ projectDir: dir.path, paths: PATHS, reservedToolNames })
    return []
  } catch (error) {
    assert.ok(error instanceof DefinitionError, String(error))
    return error.problems
  }
}

const tool = (body: string): string => `mxcp: 1\ntool:\n${body}`

describe('loading the YAML definitions', () => {
  test('the example project loads: three tools, a resource template and a prompt', () => {
    const definitions = loadDefinitions({ projectDir: EXAMPLES_DIR, paths: PATHS })
    assert.deepEqual(
      definitions.tools.map((t) => t.name),
      ['department_headcount', 'employees_by_department', 'whoami'],
    )
    assert.deepEqual(
      definitions.resources.map((r) => r.uri),
      ['employee://{id}/profile'],
    )
    assert.deepEqual(
      definitions.prompts.map((p) => p.name),
      ['summarize_department'],
    )
    const headcount = definitions.tools[0]
    assert.match(
      headcount?.source.sql ?? '',
      /GROUP BY department/,
      'source.file is read relative to the YAML file',
    )
    assert.deepEqual(headcount?.source.placeholders, ['since'])
  })

  test('an unknown parameter type names the file, the key and the allowed types', () => {
    const problems = problemsOf({
      'tools/bad-type.yml': tool(`  name: t
  parameters:
    - name: department
      type: strng
      description: x
  source:
    code: SELECT $department
`),
    })
    assert.deepEqual(problems, [
      'tools/bad-type.yml: tool.parameters[0].type: unknown type "strng" (expected one of string, integer, number, boolean, array, object)',
    ])
  })

  test('a tool without a source names the file and says what to give', () => {
    const problems = problemsOf({ 'tools/no-source.yml': tool('  name: t\n  description: nothing to run\n') })
    assert.deepEqual(problems, [
      'tools/no-source.yml: tool.source: missing (give source.code with SQL, or source.file naming a .sql file)',
    ])
  })

  test('a $param the SQL uses but the tool does not declare is named, with the declared ones', () => {
    const problems = problemsOf({
      'tools/undeclared.yml': tool(`  name: t
  parameters:
    - { name: department, type: string, description: x }
  source:
    code: SELECT * FROM employees WHERE department = $department AND title = $title
`),
    })
    assert.deepEqual(problems, [
      'tools/undeclared.yml: tool.source.code: $title is not a declared parameter (declared: department)',
    ])
  })

  test('a $param in a source.file is checked too, and a missing file is named', () => {
    const problems = problemsOf({
      'sql/q.sql': 'SELECT $who',
      'tools/file.yml': tool('  name: a\n  source:\n    file: ../sql/q.sql\n'),
      'tools/missing.yml': tool('  name: b\n  source:\n    file: ../sql/nope.sql\n'),
    })
    assert.deepEqual(problems, [
      'tools/file.yml: tool.source.file: $who is not a declared parameter (declared: none)',
      'tools/missing.yml: tool.source.file: cannot read ../sql/nope.sql (ENOENT)',
    ])
  })

  test('every problem of every file is reported at once', () => {
    const problems = problemsOf({
      'tools/a.yml': tool(
        '  name: a\n  parameters:\n    - { name: x, type: float }\n  source:\n    code: SELECT $x\n',
      ),
      'tools/b.yml': tool('  name: b\n'),
      'prompts/p.yml': `mxcp: 1
prompt:
  name: p
  messages:
    - { role: system, type: text, prompt: "Hello {{who}}" }
`,
      'resources/r.yml': `mxcp: 1
resource:
  uri: thing://{id}
  source: { code: SELECT 1 }
`,
    })
    assert.deepEqual(problems, [
      'tools/a.yml: tool.parameters[0].type: unknown type "float" (expected one of string, integer, number, boolean, array, object)',
      'tools/b.yml: tool.source: missing (give source.code with SQL, or source.file naming a .sql file)',
      'resources/r.yml: resource.uri: {id} is not a declared parameter',
      'prompts/p.yml: prompt.messages[0].prompt: {{who}} is not a declared parameter',
    ])
  })

  test('placeholders inside strings, quoted identifiers, dollar quotes and comments are not parameters', () => {
    const problems = problemsOf({
      'tools/t.yml': tool(`  name: t
  parameters:
    - { name: id, type: integer }
  source:
    code: |
      SELECT '$5 off' AS "$col", $$ $not $$ AS d, $tag$ $nor $tag$ AS e -- $comment
      /* $block */ FROM employees WHERE id = $id
`),
    })
    assert.deepEqual(problems, [])
  })

  test('positional placeholders are refused: arguments are bound by name', () => {
    const problems = problemsOf({ 'tools/t.yml': tool('  name: t\n  source:\n    code: SELECT ? , $1\n') })
    assert.deepEqual(problems, [
      'tools/t.yml: tool.source.code: positional placeholders (?, $1) are not supported: use $name',
    ])
  })

  test('a default that does not match its type, an unknown key and policies are refused', () => {
    const problems = problemsOf({
      'tools/t.yml': tool(`  name: t
  parameters:
    - { name: n, type: integer, default: "ten", descripton: typo }
  policies:
    input: []
  source: { code: SELECT $n }
`),
    })
    assert.deepEqual(problems, [
      'tools/t.yml: tool.policies: policies are not supported by this server; remove them to serve this',
      'tools/t.yml: tool.parameters[0].descripton: unknown key',
      "tools/t.yml: tool.parameters[0].default: does not match the parameter's type: value must be integer",
    ])
  })

  test('two tools with one name, a built-in SQL tool name, and broken YAML are reported', () => {
    const problems = problemsOf(
      {
        'tools/a.yml': tool('  name: same\n  source: { code: SELECT 1 }\n'),
        'tools/b.yml': tool('  name: same\n  source: { code: SELECT 2 }\n'),
        'tools/c.yml': tool('  name: list_tables\n  source: { code: SELECT 3 }\n'),
        'tools/d.yml': 'mxcp: 1\ntool: [unclosed\n',
      },
      ['list_tables'],
    )
    assert.equal(problems.length, 3)
    assert.equal(problems[0]?.startsWith('tools/d.yml: not valid YAML: '), true)
    assert.deepEqual(problems.slice(1), [
      'tools/b.yml: tool "same" is also defined in tools/a.yml',
      'tools/c.yml: tool "list_tables" is the name of a built-in SQL tool',
    ])
  })

  test('a disabled definition is not served', () => {
    const dir = tempDir('mxcp-definitions-')
    dirs.push(dir)
    writeFiles(dir.path, {
      'tools/t.yml': tool('  name: t\n  enabled: false\n  source: { code: SELECT 1 }\n'),
    })
    assert.deepEqual(loadDefinitions({ projectDir: dir.path, paths: PATHS }).tools, [])
  })
})
