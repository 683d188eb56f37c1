import path from 'node:path';
import { defineConfig } from 'prisma/config';

// The Prisma CLI insists that a native schema engine exists (it would download one, which cannot
// work offline). `generate` never runs it; migrations go through our own tooling (docs/database.md).
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(import.meta.dirname, 'scripts/db/no-schema-engine.sh');

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
