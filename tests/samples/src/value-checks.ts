// What an operation's samples must print, beyond what every sample is checked for (see
// test/operation-samples.test.ts): before each sample the test puts the server in a state no
// sample could guess, and afterwards each sample's output must show the value the server holds.
// An operation without an entry here gets the checks every sample gets.
import { randomInt } from 'node:crypto';
import { UsageBudgetClient } from '@usagebudget/client';
import type { SampleEnvironment } from './sample-environment.js';

/** The demo customer's budget on the environment's server, read and written through the client. */
export function demoBudget({ env }: SampleEnvironment) {
  const client = new UsageBudgetClient({
    baseURL: env.PARTNER_CENTER_BASE_URL,
    credential: env.PARTNER_CENTER_TOKEN ?? '',
  });
  const customer = env.CUSTOMER_TENANT_ID ?? '';
  return {
    async amount(): Promise<number | null> {
      return (await client.getBudget(customer)).amount ?? null;
    },
    async set(amount: number | null): Promise<void> {
      await (amount === null ? client.clearBudget(customer) : client.setBudget(customer, amount));
    },
  };
}

export interface ValueCheck {
  /**
   * Runs before each sample of the operation; resolves to a function that, after the sample,
   * checks the server's state and returns the number the sample's output must show.
   */
  arrange(environment: SampleEnvironment): Promise<() => Promise<number>>;
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
        return amount;
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
        return amount;
      };
    },
  },
};

/** The decimal numbers in a text (`Budget 250.50` has 250.5), to compare with what the server holds. */
export function numbersIn(text: string): number[] {
  return [...text.matchAll(/(?<![\w.-])\d+(?:\.\d+)?(?![\w.])/g)].map(([match]) => Number(match));
}
