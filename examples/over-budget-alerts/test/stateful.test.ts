// The stateful mock the global setup started, seeded from test/mock-seed.json.
import { UsageBudgetClient } from '@usagebudget/client';
import { connectMockAdmin } from '@usagebudget/mock';
import { describe, expect, inject, it } from 'vitest';
import { checkBudgets, describeAlert } from '../src/over-budget-alerts.js';

const { url, token, customers } = inject('usagebudget');
const [big, small, unbudgeted, missing] = customers as [string, string, string, string];
const client = new UsageBudgetClient({ baseURL: url, credential: token });

describe('checkBudgets against the seeded mock', () => {
  it('alerts on customers at or past 80% of their budget, most used first', async () => {
    const report = await checkBudgets(client, [
      { customerId: big, spend: 790 }, // 79%: fine
      { customerId: small, spend: 240 }, // 95.8%
      { customerId: unbudgeted, spend: 10 },
    ]);
    expect(report.alerts).toEqual([{ customerId: small, budget: 250.5, spend: 240, percentUsed: 95.8 }]);
    expect(report.unbudgeted).toEqual([unbudgeted]);
    expect(report.failures).toEqual([]);
    expect(describeAlert(report.alerts[0] as never)).toBe(
      `Customer ${small} has spent 240 of its 250.5 budget (95.8%).`,
    );
  });

  it('honours another threshold, and reads each budget once', async () => {
    const admin = connectMockAdmin(url);
    const readsOf = async () => admin.journal({ operationId: 'getUsageBudget', customer: big });
    const before = (await readsOf()).length;
    const report = await checkBudgets(client, [{ customerId: big, spend: 500 }], { threshold: 0.5 });
    expect(report.alerts.map((alert) => alert.percentUsed)).toEqual([50]);
    const reads = await readsOf();
    expect(reads).toHaveLength(before + 1);
    expect(reads.at(-1)?.headers.authorization).toBe('Bearer [redacted]');
  });

  it('reports a customer without a budget yet as unbudgeted', async () => {
    const report = await checkBudgets(client, [{ customerId: missing, spend: 1 }]);
    expect(report).toEqual({ alerts: [], unbudgeted: [missing], failures: [] });
  });
});
