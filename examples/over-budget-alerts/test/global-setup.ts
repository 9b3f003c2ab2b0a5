// vitest.config.ts: test: { globalSetup: ['test/global-setup.ts'] }
import { startMock } from '@usagebudget/mock';
import type { TestProject } from 'vitest/node';

export default async function setup(project: TestProject) {
  const mock = await startMock({ seed: 'test/mock-seed.json' });
  // Tests read it with inject('usagebudget').
  project.provide('usagebudget', { url: mock.url, token: mock.token, customers: [...mock.customers] });
  return () => mock.close();
}

declare module 'vitest' {
  export interface ProvidedContext {
    usagebudget: { url: string; token: string; customers: string[] };
  }
}
