// What an operation's samples must print, beyond what every sample is checked for (see
// test/operation-samples.test.ts): before each sample the test puts the server in a state no
// sample could guess, and afterwards each sample's output must show the values the server holds.
// An operation without an entry here gets the checks every sample gets.
import { randomInt } from 'node:crypto';
import { UsageBudgetClient } from '@usagebudget/client';
import type { SampleEnvironment } from './sample-environment.js';

/** A client of the demo partner on the environment's server, as the samples are configured. */
function demoClient({ env }: SampleEnvironment): UsageBudgetClient {
  return new UsageBudgetClient({
    baseURL: env.PARTNER_CENTER_BASE_URL,
    credential: env.PARTNER_CENTER_TOKEN ?? '',
  });
}

/** The demo customer's budget on the environment's server, read and written through the client. */
export function demoBudget(environment: SampleEnvironment) {
  const client = demoClient(environment);
  const customer = environment.env.CUSTOMER_TENANT_ID ?? '';
  return {
    async amount(): Promise<number | null> {
      return (await client.getBudget(customer)).amount ?? null;
    },
    async set(amount: number | null): Promise<void> {
      await (amount === null ? client.clearBudget(customer) : client.setBudget(customer, amount));
    },
  };
}

/**
 * What a sample's output must show: a number among the numbers it prints (`250.50` shows 250.5),
 * or a text it contains (an id, a currency).
 */
export type Shown = number | string;

export interface ValueCheck {
  /**
   * Runs before each sample of the operation; resolves to a function that, after the sample,
   * checks the server's state and returns the values the sample's output must show.
   */
  arrange(environment: SampleEnvironment): Promise<() => Promise<readonly Shown[]>>;
}

/** An amount with two decimals, the last one not 0, so `1234.57` reads the same in every output. */
function unguessableAmount(): number {
  const cents = randomInt(0, 10) * 10 + randomInt(1, 10);
  return Number(`${randomInt(1, 1_000_000)}.${String(cents).padStart(2, '0')}`);
}

export const valueChecks: Readonly<Record<string, ValueCheck>> = {
  getUsageBudget: {
    async arrange(environment) {
      const budget = demoBudget(environment);
      const amount = unguessableAmount();
      await budget.set(amount);
      return async () => {
        if ((await budget.amount()) !== amount) throw new Error('reading the budget changed it');
        return [amount];
      };
    },
  },
  updateUsageBudget: {
    async arrange(environment) {
      const budget = demoBudget(environment);
      await budget.set(null);
      return async () => {
        const amount = await budget.amount();
        if (amount === null) throw new Error('the sample left the customer without a budget: it set none');
        return [amount];
      };
    },
  },
  listCustomers: {
    // Every customer of the partner, on every page, and how many.
    async arrange(environment) {
      return async () => {
        const ids: string[] = [];
        for await (const customer of demoClient(environment).listCustomers()) ids.push(customer.id);
        return [ids.length, ...ids];
      };
    },
  },
  getCustomerUsageSummary: {
    // The budget just given to the customer, and the currency of its cost.
    async arrange(environment) {
      const amount = unguessableAmount();
      await demoBudget(environment).set(amount);
      return async () => {
        const summary = await demoClient(environment).getCustomerUsageSummary(environment.env.CUSTOMER_TENANT_ID ?? '');
        if (summary.budget.amount !== amount) throw new Error(`the summary shows budget ${summary.budget.amount}`);
        return [amount, summary.currencyCode ?? summary.currencyLocale ?? ''];
      };
    },
  },
  listCustomerUsageRecords: {
    // The customer's record: the budget just given to it and the percent of it used.
    async arrange(environment) {
      const amount = unguessableAmount();
      await demoBudget(environment).set(amount);
      return async () => {
        const customer = environment.env.CUSTOMER_TENANT_ID ?? '';
        const records = await demoClient(environment).listCustomerUsageRecords();
        const record = records.find(({ resourceId }) => resourceId === customer);
        if (record?.budget.amount !== amount) throw new Error(`no record of ${customer} with budget ${amount}`);
        return [customer, amount, record.percentUsed];
      };
    },
  },
  getPartnerUsageSummary: {
    // The partner's counts, after the customer was put over its budget or well within it.
    async arrange(environment) {
      await demoBudget(environment).set(randomInt(2) === 0 ? 0.01 : 1_000_000_000);
      return async () => {
        const summary = await demoClient(environment).getPartnerUsageSummary();
        return [
          summary.customersOverBudget,
          summary.customersTrendingOver,
          summary.customersWithUsageBasedSubscription,
        ];
      };
    },
  },
};

/** Whether `output` shows `value`: one of its numbers, or a text it contains. */
export function shows(output: string, value: Shown): boolean {
  return typeof value === 'number' ? numbersIn(output).includes(value) : output.includes(value);
}

/** The decimal numbers in a text (`Budget 250.50` has 250.5), to compare with what the server holds. */
export function numbersIn(text: string): number[] {
  return [...text.matchAll(/(?<![\w.-])\d+(?:\.\d+)?(?![\w.])/g)].map(([match]) => Number(match));
}
