import { defineConfig } from 'drizzle-kit'

/** drizzle-kit: `pnpm exec drizzle-kit generate` writes a new migration into drizzle/ after a schema change. */
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/database/schema.ts',
  out: './drizzle',
})
