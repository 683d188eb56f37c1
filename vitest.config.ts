import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure code, no services, seconds) and `integration` (real PostgreSQL,
// RabbitMQ, Dovecot; each test file gets its own database and broker vhost from test/support).
export default defineConfig({
  test: {
    // Vitest's summary, then the plain `N passed, N failed` line CI reads (test/support/summary-reporter.ts).
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          // test/docs: the repository's documents checked against its files (no services).
          include: ['src/**/*.test.ts', 'test/docs/**/*.test.ts'],
          exclude: ['src/**/*.int.test.ts', 'node_modules/**'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['src/**/*.int.test.ts', 'test/**/*.test.ts'],
          exclude: ['test/docs/**', 'node_modules/**'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Two cores: run integration files two at a time; fault tests serialize themselves.
          maxWorkers: 2,
        },
      },
    ],
  },
});
