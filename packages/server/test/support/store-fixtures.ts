// What the store tests share: seeds to make, and a PostgreSQL cluster for a test file.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import type { CustomerRecord, PortfolioSeed } from '../../src/storage/customer-store.js';
import type { Store } from '../../src/storage/store.js';
import { type StartedPostgres, startPostgres } from '../../src/testing/index.js';

/** A seeded customer of an Azure plan in USD (cost 1.10), with `extra` over it and a starting budget. */
export const customer = (name: string, extra: Partial<CustomerRecord> = {}, budget: string | null = null) => ({
  id: randomUUID() as string,
  companyName: name,
  domain: `${name.toLowerCase().replace(/\W/g, '')}.onmicrosoft.com`,
  relationship: 'reseller',
  associatedPartnerId: undefined,
  indirectProvider: undefined,
  usage: {
    offer: 'azurePlan' as const,
    currency: 'USD',
    cost: '1.10',
    usdCost: '1.10',
    lastModified: '2024-05-02T00:00:00+00:00',
  },
  ...extra,
  budget,
});
/** A webhook registration of the partner for the threshold event, to an address nobody answers. */
export const registrationOf = (partnerId: string) => ({
  partnerId,
  subscriberId: randomUUID(),
  webhookUrl: 'http://127.0.0.1:9/',
  webhookEvents: ['usagerecords-thresholdExceeded'],
  signatureInMsSignatureHeader: false,
  lastModified: new Date().toISOString(),
});
/** A partner of the seed, its customers in order. */
export const partner = (customers: PortfolioSeed['customers'], id: string = randomUUID()): PortfolioSeed => ({
  id,
  name: 'Partner',
  billingStart: '2024-05-01T00:00:00+00:00',
  billingEnd: '2024-06-01T00:00:00+00:00',
  currencyLocale: 'en-US',
  customers,
});

/** `store` seeded with a partner of two customers without budgets, and an update of one of them. */
export async function twoCustomers(store: Store) {
  const [first, second] = [customer('First'), customer('Second')];
  const mine = partner([first, second]);
  await store.seed([mine]);
  const change = (id: string, amount: string, requestId?: string) => ({
    partnerId: mine.id,
    requestId,
    customerId: id,
    amount,
    response: `{"amount":${amount}}`,
  });
  return { opened: store, mine, first: first.id, second: second.id, change };
}

/**
 * A transaction that sets the first customer's budget to 1, then waits (as a PostgreSQL
 * transaction waits on I/O between statements: it stays open) until `resume()`, and then fails:
 * `inside` resolves once it is open, `ended` rejects with its failure.
 */
export function pausedTransaction(
  store: Store,
  firstCustomer: string,
  change: Awaited<ReturnType<typeof twoCustomers>>['change'],
) {
  const [resume, inside] = [signal(), signal()];
  const ended = store.transaction(async (tx) => {
    await tx.update(change(firstCustomer, '1'));
    inside.fire();
    await resume.fired;
    throw new Error('rolled back');
  });
  return { inside: inside.fired, resume: resume.fire, ended };
}

/** A promise to wait on (`fired`) and what settles it (`fire`): how a test holds one side of a race. */
export function signal(): { fired: Promise<void>; fire: () => void } {
  let fire = () => {};
  const fired = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { fired, fire };
}

/**
 * One PostgreSQL cluster for a test file (fsync off: these tests need no durability), started
 * before its tests and stopped after them; `database()` makes a fresh database on it.
 */
export function usePostgres(prefix: string) {
  let started: StartedPostgres | undefined;
  let made = 0;
  beforeAll(async () => {
    started = await startPostgres({ settings: { fsync: 'off' } });
  });
  afterAll(async () => {
    await started?.stop();
  });
  const current = () => {
    if (!started) throw new Error('PostgreSQL has not started: use it inside a test');
    return started;
  };
  return {
    current,
    /** A fresh database: its name and URL. */
    database: async () => {
      const name = `${prefix}_${++made}`;
      return { name, url: await current().createDatabase(name) };
    },
  };
}
