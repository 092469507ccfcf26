/** The server's version, as announced in MCP `initialize` (keep in step with package.json). */
export const SERVER_VERSION = '0.1.0'
