import { ensureTemplateDatabase } from './test-database.ts';

// Runs once before the integration project: migrates the template database the test files clone.
export default async function setup(): Promise<void> {
  await ensureTemplateDatabase();
}
