import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join as joinPath, relative, resolve, sep } from 'node:path'
import { parseAllDocuments } from 'yaml'
import { DefinitionError } from './definition-error.js'
import type {
  Definition,
  ProjectDefinitions,
  PromptDefinition,
  ResourceDefinition,
  ToolDefinition,
} from './definition-types.js'
import { parsePrompt } from './parse-prompt.js'
import { parseResource } from './parse-resource.js'
import { parseTool } from './parse-tool.js'
import { ProblemList } from './problem-list.js'

/** Where {@link loadDefinitions} looks. */
export interface LoadDefinitionsOptions {
  readonly projectDir: string
  /** Folders relative to the project (`site.paths`). */
  readonly paths: { readonly tools: string; readonly resources: string; readonly prompts: string }
  /** Tool names taken by the server itself (the built-in SQL tools when they are on). */
  readonly reservedToolNames?: readonly string[]
}

const KINDS = ['tool', 'resource', 'prompt'] as const

/** Every `.yml`/`.yaml` file under `folder`, sorted, depth first. */
function yamlFiles(folder: string): string[] {
  if (!existsSync(folder)) return []
  return readdirSync(folder, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = joinPath(folder, entry.name)
      if (entry.isDirectory()) return yamlFiles(path)
      return /\.ya?ml$/.test(entry.name) ? [path] : []
    })
}

function parseFile(yamlPath: string, file: string, problems: ProblemList): Definition | undefined {
  const documents = parseAllDocuments(readFileSync(yamlPath, 'utf8'))
  if (!Array.isArray(documents) || documents.length !== 1) {
    problems.add('', 'expected exactly one YAML document (one definition per file)')
    return undefined
  }
  const [document] = documents
  const error = document?.errors[0]
  if (!document || error) {
    problems.add('', `not valid YAML: ${error?.message ?? 'empty'}`)
    return undefined
  }
  const root: unknown = document.toJS()
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    problems.add('', 'expected a mapping with mxcp: 1 and one of tool, resource, prompt')
    return undefined
  }
  const mapping = root as Record<string, unknown>
  if (mapping['mxcp'] !== 1 && mapping['mxcp'] !== '1') problems.add('mxcp', 'expected mxcp: 1')
  const kinds = KINDS.filter((kind) => mapping[kind] !== undefined)
  for (const key of Object.keys(mapping)) {
    if (key !== 'mxcp' && !(KINDS as readonly string[]).includes(key)) problems.add(key, 'unknown key')
  }
  if (kinds.length !== 1) {
    problems.add('', `expected exactly one of tool, resource, prompt (found ${kinds.join(', ') || 'none'})`)
    return undefined
  }
  const kind = kinds[0]
  if (kind === 'tool') return parseTool(mapping['tool'], file, yamlPath, problems)
  if (kind === 'resource') return parseResource(mapping['resource'], file, yamlPath, problems)
  return parsePrompt(mapping['prompt'], file, problems)
}

function checkUnique(
  definitions: readonly { name: string; file: string }[],
  what: string,
  reserved: readonly string[],
  problems: string[],
): void {
  const first = new Map<string, string>()
  for (const { name, file } of definitions) {
    if (reserved.includes(name))
      problems.push(`${file}: ${what} "${name}" is the name of a built-in SQL tool`)
    const earlier = first.get(name)
    if (earlier !== undefined) problems.push(`${file}: ${what} "${name}" is also defined in ${earlier}`)
    else first.set(name, file)
  }
}

/**
 * Reads every tool, resource and prompt of a project (MXCP's YAML format, one definition per
 * file). Throws a {@link DefinitionError} listing every problem of every file, each naming the
 * file and the key, so that a mistake stops the server at start-up rather than at the first call.
 */
export function loadDefinitions(options: LoadDefinitionsOptions): ProjectDefinitions {
  const projectDir = resolve(options.projectDir)
  const problems: string[] = []
  const definitions: Definition[] = []
  const folders = [...new Set([options.paths.tools, options.paths.resources, options.paths.prompts])]
  for (const yamlPath of folders.flatMap((folder) => yamlFiles(resolve(projectDir, folder)))) {
    const file = relative(projectDir, yamlPath).split(sep).join('/')
    const definition = parseFile(yamlPath, file, new ProblemList(file, problems))
    if (definition) definitions.push(definition)
  }
  const tools = definitions.filter((d): d is ToolDefinition => d.kind === 'tool')
  const resources = definitions.filter((d): d is ResourceDefinition => d.kind === 'resource')
  const prompts = definitions.filter((d): d is PromptDefinition => d.kind === 'prompt')
  checkUnique(tools, 'tool', options.reservedToolNames ?? [], problems)
  checkUnique(
    resources.map((r) => ({ name: r.uri, file: r.file })),
    'resource',
    [],
    problems,
  )
  checkUnique(prompts, 'prompt', [], problems)
  if (problems.length > 0) throw new DefinitionError(problems)
  return { tools, resources, prompts }
}
