import { defineConfig } from 'vitest/config';

// The server's behaviour suite runs twice: on SQLite (every test), and on PostgreSQL (the
// process tests whose databases `useServer` or `useDatabases` make: on a cluster of their own,
// see test/support/use-server.ts; what is one engine's by nature is marked in each file). The
// storage tests run both engines themselves. database-restart, pool-limits, replicas and
// replica-webhooks are PostgreSQL's alone (they run in the first project).
const ON_BOTH_ENGINES = [
  'test/process/api.test.ts',
  'test/process/bin.test.ts',
  'test/process/concurrency.test.ts',
  'test/process/customers.test.ts',
  'test/process/durability.test.ts',
  'test/process/event-loop.test.ts',
  'test/process/fuzz.test.ts',
  'test/process/hostile-clients.test.ts',
  'test/process/lifecycle.test.ts',
  'test/process/namespaces.test.ts',
  'test/process/rate-limit.test.ts',
  'test/process/usage.test.ts',
  'test/process/webhook-delivery.test.ts',
  'test/process/webhook-registration.test.ts',
];

export default defineConfig({
  test: {
    // Several files start server processes; on two cores a cold start can take a second.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'sqlite', include: ['test/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'postgres', include: ON_BOTH_ENGINES, env: { USAGEBUDGET_TEST_ENGINE: 'postgres' } },
      },
    ],
  },
});
