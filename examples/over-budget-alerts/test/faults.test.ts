// A mock of this file's own, with fault rules: the SDK's retries, seen from the code that uses it.
import { UsageBudgetClient } from '@usagebudget/client';
import { type StatefulMock, startMock } from '@usagebudget/mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkBudgets } from '../src/over-budget-alerts.js';

const customerA = '0b8f4a2c-6d1e-4f3a-9c5b-7e2d4f6a8c01';
const customerB = '1c9a5b3d-7e2f-4a4b-8d6c-8f3e5a7b9d02';
let mock: StatefulMock;
let client: UsageBudgetClient;

beforeAll(async () => {
  mock = await startMock({
    seed: {
      partners: [
        {
          id: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b',
          name: 'Faults',
          tokens: ['faults-token'],
          customers: [
            { id: customerA, name: 'Customer A', cost: '90', budget: 100 },
            { id: customerB, name: 'Customer B', cost: '85', budget: 100 },
          ],
        },
      ],
    },
  });
  // Short waits: a test should not sleep through real backoff.
  client = new UsageBudgetClient({
    baseURL: mock.url,
    credential: mock.token,
    maxRetries: 2,
    backoff: { initialDelayMs: 5 },
  });
});
afterAll(() => mock?.close());
beforeEach(() => mock.admin.reset());

describe('checkBudgets when Partner Center struggles', () => {
  it('gets through a 429: the SDK waits Retry-After and retries with the same MS-RequestId', async () => {
    await mock.admin.addFault({
      operationId: 'getCustomerUsageSummary',
      customer: customerA,
      status: 429,
      retryAfter: 0,
      times: 1,
    });
    const report = await checkBudgets(client, { customerIds: [customerA] });
    expect(report.alerts).toMatchObject([{ customerId: customerA, budget: 100, cost: '90', percentUsed: 90 }]);
    const attempts = await mock.admin.journal({ customer: customerA });
    expect(attempts.map((entry) => entry.status)).toEqual([429, 200]);
    expect(attempts[1]?.headers['ms-requestid']).toBe(attempts[0]?.headers['ms-requestid']);
  });

  it('gets through a 429 on the customer list too, and checks every customer', async () => {
    await mock.admin.addFault({ operationId: 'listCustomers', status: 429, retryAfter: 0, times: 1 });
    const report = await checkBudgets(client);
    expect(report.alerts.map((alert) => alert.customerId)).toEqual([customerA, customerB]);
    const lists = await mock.admin.journal({ operationId: 'listCustomers' });
    expect(lists.map((entry) => entry.status)).toEqual([429, 200]);
  });

  it('reports a customer whose reads keep failing with 503, and checks the others', async () => {
    await mock.admin.addFault({ operationId: 'getCustomerUsageSummary', customer: customerA, status: 503 });
    const report = await checkBudgets(client, { customerIds: [customerA, customerB] });
    expect(report.failures).toEqual([{ customerId: customerA, reason: expect.stringMatching(/^ServerError 503: /) }]);
    expect(report.alerts.map((alert) => alert.customerId)).toEqual([customerB]);
    // The SDK tried three times (maxRetries: 2) before giving up.
    expect(await mock.admin.journal({ customer: customerA, status: 503 })).toHaveLength(3);
  });

  it('reports a dropped connection as a failure too', async () => {
    await mock.admin.addFault({ customer: customerB, drop: true });
    const report = await checkBudgets(client, { customerIds: [customerB] });
    expect(report.failures).toEqual([{ customerId: customerB, reason: expect.stringMatching(/^ConnectionError/) }]);
  });
});
