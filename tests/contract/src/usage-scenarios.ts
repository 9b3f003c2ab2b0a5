// How the usage reads' documented responses are provoked on a target with a partner whose
// customers have usage: the figures agree with each other and with the spec's rules, costs keep
// every digit, app-only tokens are refused, and a customer without usage has no summary.
import { randomUUID } from 'node:crypto';
import type { CallPromise, CustomerMonthlyUsageRecord, UsageBudgetClient } from '@usagebudget/client';
import { specOperations } from '@usagebudget/openapi/operations';
import { expect } from 'vitest';
import { expectFault, expectSuccess } from './outcomes.js';
import type { ScenarioClient, ScenarioContext, Strategy } from './scenario-context.js';
import { collect, faultStrategy, missing, PARTNER_SUMMARY, RECORDS, SUMMARY, sameId } from './scenario-helpers.js';

const USAGE_READS = [SUMMARY, RECORDS, PARTNER_SUMMARY] as const;

const usageOf = (context: ScenarioContext) => context.target.usage ?? missing('usage');

/** A client of the partner with usage; `direct`: past Prism, straight to the service. */
function usageClient(context: ScenarioContext, direct = false): ScenarioClient {
  return context.client({
    token: usageOf(context).token,
    ...(direct ? { baseURL: context.target.directURL ?? missing('directURL') } : {}),
  });
}

const budgetOf = (record: CustomerMonthlyUsageRecord) => record.budget.amount ?? null;
// Compared as doubles: a cost would have to be within about 1e-13 of its budget for the exact
// comparison (the server's) to differ.
const isOver = (record: CustomerMonthlyUsageRecord) => {
  const budget = budgetOf(record);
  return budget !== null && Number(record.totalCost) > budget;
};

/** Significant digits of a decimal's text: more than 17 and no double holds it. */
const significantDigits = (text: string) => text.replace(/[-.]/g, '').replace(/^0+/, '').length;

/** The record whose cost has the most digits: the hardest to keep exact. */
function longestCost(records: readonly CustomerMonthlyUsageRecord[]): CustomerMonthlyUsageRecord {
  const [first, ...rest] = records;
  if (!first) return missing('usage record');
  return rest.reduce((best, record) => (record.totalCost.length > best.totalCost.length ? record : best), first);
}

async function usageRecords(client: UsageBudgetClient) {
  const records = await client.listCustomerUsageRecords();
  expect(records.length, 'the partner has customers with usage').toBeGreaterThan(0);
  return records;
}

/** Past Prism, the client gives each cost with every digit the service wrote, more than a double holds. */
function exactCosts(operationId: string): Strategy {
  return {
    status: 200,
    operationId,
    title:
      'GET 200 gives every cost digit for digit, read past Prism (whose proxy rounds costs when it writes a body again)',
    needs: ['usage', 'direct'],
    run: async (context, documented) => {
      const reader = usageClient(context, true);
      const record = longestCost(await usageRecords(reader.client));
      const call: CallPromise<unknown> =
        operationId === SUMMARY
          ? reader.client.getCustomerUsageSummary(record.resourceId)
          : reader.client.listCustomerUsageRecords();
      // Checks every cost against the body's own text (expectClientData).
      await expectSuccess(context, reader, call, documented);
      const costs = [
        ...(reader.exchanges.at(-1)?.body ?? '').matchAll(/"(?:totalCost|usdTotalCost)"\s*:\s*(-?[0-9.]+)/g),
      ];
      expect(
        Math.max(0, ...costs.map((found) => significantDigits(found[1] as string))),
        'the service writes costs as JSON numbers with more digits than a double holds',
      ).toBeGreaterThan(17);
    },
  };
}

export const usageStrategies: readonly Strategy[] = [
  {
    status: 200,
    operationId: RECORDS,
    title: "GET 200 reads a record per customer with usage, each the partner's, percent used as the spec computes it",
    needs: ['usage'],
    run: async (context, documented) => {
      const reader = usageClient(context);
      const correlationId = randomUUID();
      const call = reader.client.listCustomerUsageRecords({ correlationId });
      const { data: records } = await expectSuccess(context, reader, call, documented, { correlationId });
      expect(records.length).toBeGreaterThan(0);
      const customers = new Set((await collect(reader.client.listCustomers())).map(({ id }) => sameId(id)));
      for (const record of records) {
        expect(customers.has(sameId(record.resourceId)), `${record.resourceId} is a customer of the partner`).toBe(
          true,
        );
        const budget = budgetOf(record);
        // 100 × totalCost ÷ budget, rounded to two decimals; 0 without a budget or with a budget of 0.
        const expected = budget ? (100 * Number(record.totalCost)) / budget : 0;
        expect(Math.abs(record.percentUsed - expected), `${record.resourceId} percentUsed`).toBeLessThanOrEqual(
          0.005001,
        );
      }
    },
  },
  exactCosts(RECORDS),
  {
    status: 200,
    operationId: SUMMARY,
    title: "GET 200 reads a customer's summary: the budget, cost and currency of its usage record",
    needs: ['usage'],
    run: async (context, documented) => {
      const reader = usageClient(context);
      const record = longestCost(await usageRecords(reader.client));
      const correlationId = randomUUID();
      const call = reader.client.getCustomerUsageSummary(record.resourceId, { correlationId });
      const { data: summary } = await expectSuccess(context, reader, call, documented, { correlationId });
      expect(sameId(summary.resourceId)).toBe(sameId(record.resourceId));
      expect({
        resourceName: summary.resourceName,
        budget: summary.budget.amount ?? null,
        totalCost: summary.totalCost,
        currencyCode: summary.currencyCode,
        currencyLocale: summary.currencyLocale,
      }).toEqual({
        resourceName: record.resourceName,
        budget: budgetOf(record),
        totalCost: record.totalCost,
        currencyCode: record.currencyCode,
        currencyLocale: record.currencyLocale,
      });
    },
  },
  exactCosts(SUMMARY),
  {
    status: 200,
    operationId: PARTNER_SUMMARY,
    title: 'GET 200 reads the partner summary: its counts are those of the usage records',
    needs: ['usage'],
    run: async (context, documented) => {
      const reader = usageClient(context);
      const { data: summary } = await expectSuccess(
        context,
        reader,
        reader.client.getPartnerUsageSummary(),
        documented,
      );
      const records = await usageRecords(reader.client);
      const over = records.filter(isOver);
      const trending = records.filter(
        (record) => budgetOf(record) !== null && !isOver(record) && record.percentUsed >= 80,
      );
      expect({
        customersWithUsageBasedSubscription: summary.customersWithUsageBasedSubscription,
        customersOverBudget: summary.customersOverBudget,
        customersTrendingOver: summary.customersTrendingOver,
      }).toEqual({
        customersWithUsageBasedSubscription: records.length,
        customersOverBudget: over.length,
        customersTrendingOver: trending.length,
      });
    },
  },
  faultStrategy(
    403,
    'an app-only token: refused, naming the token kinds the operation accepts',
    ['appOnlyToken'],
    async (target) => {
      const usage = target.usage ?? missing('usage');
      return { token: usage.appOnlyToken ?? missing('appOnlyToken'), customerId: usage.customerId };
    },
    USAGE_READS,
    (error, documented, context) => {
      const found = specOperations(context.document).find(({ operationId }) => operationId === documented.operationId);
      const accepted = (found?.operation as { 'x-token-kinds'?: string[] } | undefined)?.['x-token-kinds'];
      expect(error.code).toBe('TokenKindNotAccepted');
      expect(error.data, "data lists the operation's x-token-kinds").toEqual(accepted);
    },
  ),
  {
    status: 404,
    operationId: SUMMARY,
    title: 'GET 404 a customer of the partner without a usage-based subscription has no summary',
    needs: ['usage'],
    run: async (context, documented) => {
      const reader = usageClient(context);
      const withUsage = new Set((await usageRecords(reader.client)).map(({ resourceId }) => sameId(resourceId)));
      const customers = await collect(reader.client.listCustomers());
      const without = customers.find(({ id }) => !withUsage.has(sameId(id))) ?? missing('customer without usage');
      const correlationId = randomUUID();
      const call = reader.client.getCustomerUsageSummary(without.id, { correlationId });
      const error = await expectFault(context, reader, call, documented, { correlationId });
      expect(error.code).toBe('NoUsageBasedSubscription');
    },
  },
];
