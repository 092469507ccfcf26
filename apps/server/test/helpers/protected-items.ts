/** Every protected thing of the example project (SQL tools on), each as the JSON-RPC call that reaches it. */
export const EVERY_ITEM: readonly (readonly [
  what: string,
  method: string,
  params: Record<string, unknown>,
])[] = [
  ['tools/list', 'tools/list', {}],
  [
    'the YAML tool employees_by_department',
    'tools/call',
    { name: 'employees_by_department', arguments: { department: 'Sales' } },
  ],
  ['the YAML tool department_headcount', 'tools/call', { name: 'department_headcount', arguments: {} }],
  ['the YAML tool whoami', 'tools/call', { name: 'whoami', arguments: {} }],
  [
    'the SQL tool execute_sql_query',
    'tools/call',
    { name: 'execute_sql_query', arguments: { sql: 'SELECT 1' } },
  ],
  ['the SQL tool list_tables', 'tools/call', { name: 'list_tables', arguments: {} }],
  [
    'the SQL tool get_table_schema',
    'tools/call',
    { name: 'get_table_schema', arguments: { table_name: 'employees' } },
  ],
  ['resources/templates/list', 'resources/templates/list', {}],
  ['the resource employee://{id}/profile', 'resources/read', { uri: 'employee://1/profile' }],
  ['prompts/list', 'prompts/list', {}],
  [
    'the prompt summarize_department',
    'prompts/get',
    { name: 'summarize_department', arguments: { department: 'Sales' } },
  ],
]
