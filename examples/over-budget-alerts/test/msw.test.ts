// No process at all: MSW answers the SDK's requests from the spec's examples.
import { UsageBudgetClient } from '@usagebudget/client';
import { createHandlers, override } from '@usagebudget/mock/msw';
import { HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkBudgets } from '../src/over-budget-alerts.js';

const server = setupServer(...createHandlers());
const client = new UsageBudgetClient({ cloud: 'global', credential: 'any-token', maxRetries: 0 });
const customer = '0c39d6d5-c70d-4c55-bc02-f620844f3fd1';
const other = 'b5d3f0a2-7c41-4e8b-9f26-3a1e5c7d9b04';

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('checkBudgets with MSW', () => {
  it("compares against the spec's example budget (100)", async () => {
    const report = await checkBudgets(client, [{ customerId: customer, spend: 80 }]);
    expect(report.alerts).toEqual([{ customerId: customer, budget: 100, spend: 80, percentUsed: 80 }]);
  });

  it('uses the budget a test overrides, per customer', async () => {
    server.use(
      override('getUsageBudget', ({ params }) =>
        HttpResponse.json({ amount: params.customerTenantId === customer ? 50 : null }),
      ),
    );
    const report = await checkBudgets(client, [
      { customerId: customer, spend: 45 },
      { customerId: other, spend: 45 },
    ]);
    expect(report.alerts.map((alert) => alert.percentUsed)).toEqual([90]);
    expect(report.unbudgeted).toEqual([other]);
  });

  it('reports the failure a test forces', async () => {
    server.use(override('getUsageBudget', { status: 404, body: { code: 60003, description: 'Tenant not found' } }));
    const report = await checkBudgets(client, [{ customerId: customer, spend: 1 }]);
    expect(report.failures).toEqual([{ customerId: customer, reason: expect.stringMatching(/^NotFoundError 404/) }]);
  });
});
