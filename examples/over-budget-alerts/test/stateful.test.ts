// The stateful mock the global setup started, seeded from test/mock-seed.json.
import { UsageBudgetClient } from '@usagebudget/client';
import { connectMockAdmin } from '@usagebudget/mock';
import { describe, expect, inject, it } from 'vitest';
import { checkBudgets, describeAlert } from '../src/over-budget-alerts.js';

const { url, token, customers } = inject('usagebudget');
const [big, small, unbudgeted, fresh, seatsOnly] = customers as [string, string, string, string, string];
const client = new UsageBudgetClient({ baseURL: url, credential: token });
const admin = connectMockAdmin(url);

describe('checkBudgets against the seeded mock', () => {
  it("lists every customer and alerts on those at or past 80% of their budget, from each one's usage summary", async () => {
    const report = await checkBudgets(client);
    expect(report).toEqual({
      alerts: [
        {
          customerId: small,
          customerName: 'Small Budget GmbH',
          budget: 250.5,
          cost: '240.00000000000000000001',
          currency: 'EUR',
          percentUsed: 95.8,
        },
      ],
      unbudgeted: [unbudgeted, fresh],
      withoutUsage: [seatsOnly],
      failures: [],
    });
    expect(describeAlert(report.alerts[0] as never)).toBe(
      `Small Budget GmbH (${small}) has used 95.8% of its budget: 240.00000000000000000001 of 250.5 EUR.`,
    );
  });

  it('honours another threshold, and reads only the customers it is given, once each', async () => {
    const readsOf = () => admin.journal({ operationId: 'getCustomerUsageSummary', customer: big });
    const before = (await readsOf()).length;
    const listsBefore = (await admin.journal({ operationId: 'listCustomers' })).length;
    const report = await checkBudgets(client, { customerIds: [big], threshold: 0.5 });
    expect(report.alerts.map((alert) => alert.percentUsed)).toEqual([79]);
    const reads = await readsOf();
    expect(reads).toHaveLength(before + 1);
    expect(reads.at(-1)?.headers.authorization).toBe('Bearer [redacted]');
    expect(await admin.journal({ operationId: 'listCustomers' })).toHaveLength(listsBefore);
  });

  it('sees a budget raised with the SDK in the next check', async () => {
    try {
      await client.setBudget(small, 400);
      const report = await checkBudgets(client, { customerIds: [small] });
      expect(report.alerts).toEqual([]);
    } finally {
      await admin.reset();
    }
    expect((await checkBudgets(client, { customerIds: [small] })).alerts).toHaveLength(1);
  });
});
