import { defineConfig } from 'drizzle-kit'

/** `pnpm exec drizzle-kit generate` writes the committed migrations under drizzle/. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema/migration-schema.ts',
  out: './drizzle',
})
