// No process at all: MSW answers the SDK's requests from the spec's examples.
import { UsageBudgetClient } from '@usagebudget/client';
import { createHandlers, override } from '@usagebudget/mock/msw';
import { HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkBudgets } from '../src/over-budget-alerts.js';

const server = setupServer(...createHandlers());
const client = new UsageBudgetClient({ cloud: 'global', credential: 'any-token', maxRetries: 0 });
// The spec's example customers: the first has no budget in its example usage summary.
const customer = '0c39d6d5-c70d-4c55-bc02-f620844f3fd1';
const other = '45c44870-ef77-4fdd-b6fe-3dacb075cff2';

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** A usage summary as a test writes one: what the module reads, plus what the spec requires. */
const summary = (customerId: string, budget: number | undefined, totalCost: string) => ({
  budget: { ...(budget === undefined ? {} : { amount: budget }), attributes: { objectType: 'SpendingBudget' } },
  resourceId: customerId,
  resourceName: `Customer ${customerId.slice(0, 8)}`,
  billingStartDate: '2024-05-01T00:00:00+00:00',
  billingEndDate: '2024-06-01T00:00:00+00:00',
  totalCost,
  currencyCode: 'USD',
  lastModifiedDate: '2024-05-20T06:12:41+00:00',
  attributes: { objectType: 'CustomerUsageSummary' },
});

describe('checkBudgets with MSW', () => {
  it("walks the spec's example customer list, page by page, and reads each one's example summary", async () => {
    expect(await checkBudgets(client)).toEqual({
      alerts: [],
      unbudgeted: [customer],
      withoutUsage: [],
      failures: [],
    });
    // The example summary of an Azure plan: 28.83 of 97 GBP is 29.7%, an alert at 25%.
    const report = await checkBudgets(client, { customerIds: [other], threshold: 0.25 });
    expect(report.alerts).toEqual([
      {
        customerId: other,
        customerName: 'Modern Azure Customer UK',
        budget: 97,
        cost: '28.82860766744404945074',
        currency: 'GBP',
        percentUsed: 29.7,
      },
    ]);
  });

  it('uses the usage summary a test overrides, per customer', async () => {
    server.use(
      override('getCustomerUsageSummary', ({ params }) =>
        params.customerTenantId === customer
          ? HttpResponse.json(summary(customer, 50, '45.5'))
          : HttpResponse.json(
              { code: 'NoUsageBasedSubscription', description: 'No usage-based subscription.' },
              { status: 404 },
            ),
      ),
    );
    const report = await checkBudgets(client, { customerIds: [customer, other] });
    expect(report.alerts.map((alert) => [alert.customerId, alert.percentUsed])).toEqual([[customer, 91]]);
    expect(report.withoutUsage).toEqual([other]);
  });

  it('reports the failure a test forces, and goes on with the others', async () => {
    server.use(
      override(
        'getCustomerUsageSummary',
        { status: 503, body: { code: 503, description: 'Unavailable' } },
        { once: true },
      ),
    );
    const report = await checkBudgets(client);
    expect(report.failures).toEqual([{ customerId: customer, reason: expect.stringMatching(/^ServerError 503/) }]);
    // The failed customer is not counted as unbudgeted; the two after it were read.
    expect(report.unbudgeted).toEqual([]);
    expect(report.alerts).toEqual([]);
  });
});
