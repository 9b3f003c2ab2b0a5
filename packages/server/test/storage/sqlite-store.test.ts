import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readBudgetApplies } from '../../src/storage/budget-applies.js';
import type { CustomerRecord, CustomerUsage, PortfolioSeed } from '../../src/storage/customer-store.js';
import { openSqliteStore } from '../../src/storage/sqlite-store.js';
import type { Store, StoreOperations } from '../../src/storage/store.js';
import { scratchDir } from '../support/use-server.js';

const customer = (name: string, extra: Partial<CustomerRecord> = {}, budget: string | null = null) => ({
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
const partner = (customers: PortfolioSeed['customers'], id: string = randomUUID()): PortfolioSeed => ({
  id,
  name: 'Partner',
  billingStart: '2024-05-01T00:00:00+00:00',
  billingEnd: '2024-06-01T00:00:00+00:00',
  currencyLocale: 'en-US',
  customers,
});

let store: Store | undefined;

/** Every batch of a usage read, in order. */
async function batchesOf(batches: AsyncIterable<CustomerUsage[]>): Promise<CustomerUsage[][]> {
  const read: CustomerUsage[][] = [];
  for await (const batch of batches) read.push(batch);
  return read;
}
afterEach(async () => {
  await store?.close();
});

describe('the SQLite store, in memory', () => {
  it('lists seeded customers in their order, a window at a time, and filters by prefix regardless of case', async () => {
    store = openSqliteStore(':memory:');
    const names = ['Ölund AB', 'Contoso', 'contoso east', 'Fabrikam', 'ΣΙΓΜΑ'];
    const seeded = names.map((name, index) =>
      customer(name, index === 3 ? { associatedPartnerId: 'Reseller-X', indirectProvider: 'CSP-1' } : {}),
    );
    const mine = partner(seeded);
    await store.seed([mine, partner([customer('Contoso elsewhere')])]);
    const ids = (records: CustomerRecord[]) => records.map(({ companyName }) => companyName);
    expect(ids(await store.listCustomers(mine.id, undefined, 0, 10))).toEqual(names);
    expect(ids(await store.listCustomers(mine.id, undefined, 1, 2))).toEqual(['Contoso', 'contoso east']);
    expect(ids(await store.listCustomers(mine.id, undefined, 5, 2))).toEqual([]);
    expect(ids(await store.listCustomers(mine.id, { field: 'companyName', prefix: 'CONTOSO' }, 0, 10))).toEqual([
      'Contoso',
      'contoso east',
    ]);
    expect(ids(await store.listCustomers(mine.id, { field: 'companyName', prefix: 'öl' }, 0, 10))).toEqual([
      'Ölund AB',
    ]);
    expect(ids(await store.listCustomers(mine.id, { field: 'companyName', prefix: 'σιγ' }, 0, 10))).toEqual(['ΣΙΓΜΑ']);
    expect(ids(await store.listCustomers(mine.id, { field: 'companyName', prefix: '%' }, 0, 10))).toEqual([]);
    expect(ids(await store.listCustomers(mine.id, { field: 'domain', prefix: 'fab' }, 0, 10))).toEqual(['Fabrikam']);
    expect(
      ids(await store.listCustomers(mine.id, { field: 'associatedPartnerId', prefix: 'reseller-' }, 0, 10)),
    ).toEqual(['Fabrikam']);
    expect(ids(await store.listCustomers(mine.id, { field: 'indirectProvider', prefix: 'csp' }, 0, 10))).toEqual([
      'Fabrikam',
    ]);
    expect(await store.partner(mine.id)).toEqual({
      id: mine.id,
      name: 'Partner',
      billingStart: mine.billingStart,
      billingEnd: mine.billingEnd,
      currencyLocale: 'en-US',
    });
  });

  it('keeps costs as decimal text, and lists usage only for customers with a usage-based subscription', async () => {
    store = openSqliteStore(':memory:');
    const rich = customer(
      'Rich',
      {
        usage: {
          offer: 'azurePlan',
          currency: 'GBP',
          cost: '28.82860766744404945074',
          usdCost: undefined,
          lastModified: '2019-09-18T17:09:26.16+00:00',
        },
      },
      '97',
    );
    const none = customer('None', { usage: undefined });
    const mine = partner([rich, none]);
    await store.seed([mine]);
    const { budget: _richBudget, ...richRecord } = rich;
    expect(await batchesOf(store.usageBatches(mine.id))).toEqual([[{ customer: richRecord, budget: '97' }]]);
    expect(await store.usageCount(mine.id)).toBe(1);
    const { budget: _noBudget, ...noneRecord } = none;
    expect(await store.customer(none.id)).toEqual({ customer: noneRecord, budget: null });
    expect(await store.customer(randomUUID())).toBeUndefined();
  });

  it('reads usage in batches, in listing order, skipping customers without usage, each batch when asked for', async () => {
    const customers = Array.from({ length: 7 }, (_, index) =>
      customer(`C${index}`, index % 3 === 1 ? { usage: undefined } : {}, String(index)),
    );
    const mine = partner(customers);
    const opened = openSqliteStore(':memory:');
    store = opened;
    await opened.seed([mine]);
    const batches = opened.usageBatches(mine.id, 2)[Symbol.asyncIterator]();
    const names = (batch: CustomerUsage[]) =>
      batch.map(({ customer: { companyName }, budget }) => [companyName, budget]);
    expect(names((await batches.next()).value ?? [])).toEqual([
      ['C0', '0'],
      ['C2', '2'],
    ]);
    // A budget changed between two batches shows in the next one.
    const changed = customers[3]?.id as string;
    await opened.update({ partnerId: mine.id, requestId: undefined, customerId: changed, amount: '33', response: '' });
    const rest = await batchesOf({ [Symbol.asyncIterator]: () => batches });
    expect(rest.map(names)).toEqual([
      [
        ['C3', '33'],
        ['C5', '5'],
      ],
      [['C6', '6']],
    ]);
    expect(await opened.usageCount(mine.id)).toBe(5);
    // The count follows the customers: a clear, a new seed.
    await opened.clear();
    expect(await opened.usageCount(mine.id)).toBe(0);
    await opened.seed([partner(customers.slice(0, 3), mine.id)]);
    expect(await opened.usageCount(mine.id)).toBe(2);
  });

  it('seeds a budget only where none was ever recorded: an update, or a clear, survives the next seed', async () => {
    const scratch = scratchDir();
    try {
      const path = join(scratch.dir, 'seed.sqlite');
      const [kept, cleared, fresh] = [
        customer('Kept', {}, '10'),
        customer('Cleared', {}, '20'),
        customer('Fresh', {}, '30'),
      ];
      const mine = partner([kept, cleared, fresh]);
      store = openSqliteStore(path);
      await store.seed([mine]);
      await store.update({ partnerId: mine.id, requestId: undefined, customerId: kept.id, amount: '11', response: '' });
      await store.update({
        partnerId: mine.id,
        requestId: undefined,
        customerId: cleared.id,
        amount: null,
        response: '',
      });
      await store.close();
      store = openSqliteStore(path);
      await store.seed([partner([kept, cleared, fresh], mine.id)]);
      expect(await Promise.all([kept, cleared, fresh].map(({ id }) => store?.readAmount(id)))).toEqual([
        '11',
        null,
        '30',
      ]);
      // A customer gone from the config is gone from the store; its budget stays behind, harmless.
      await store.seed([partner([fresh], mine.id)]);
      expect(await store.customer(kept.id)).toBeUndefined();
      expect(await store.listCustomers(mine.id, undefined, 0, 10)).toHaveLength(1);
    } finally {
      store?.close();
      store = undefined;
      scratch.remove();
    }
  });

  it('records each applied update once, in order: a replay, a reused id and a failed id are not applies', async () => {
    const scratch = scratchDir();
    try {
      const path = join(scratch.dir, 'applies.sqlite');
      const seeded = customer('Contoso');
      const mine = partner([seeded]);
      store = openSqliteStore(path);
      await store.seed([mine]);
      const update = async (requestId: string | undefined, amount: string | null) =>
        (await store?.update({ partnerId: mine.id, requestId, customerId: seeded.id, amount, response: '{}' }))?.kind;
      const id = randomUUID();
      expect(await update(id, '5')).toBe('applied');
      expect(await update(id, '5')).toBe('replayed');
      expect(await update(id, '6')).toBe('requestIdReused');
      expect(await update(undefined, null)).toBe('applied');
      await store.close();
      store = undefined;
      expect(
        readBudgetApplies(path).map(({ partnerId, customerId, requestId, amount }) => [
          partnerId,
          customerId,
          requestId,
          amount,
        ]),
      ).toEqual([
        [mine.id, seeded.id, id, '5'],
        [mine.id, seeded.id, null, null],
      ]);
    } finally {
      scratch.remove();
    }
  });
});

describe('the SQLite store, transactions', () => {
  /** A store with two customers and no budgets, and an update of one of them. */
  const twoCustomers = async () => {
    const [first, second] = [customer('First'), customer('Second')];
    const mine = partner([first, second]);
    const opened = openSqliteStore(':memory:');
    store = opened;
    await opened.seed([mine]);
    const change = (id: string, amount: string, requestId?: string) => ({
      partnerId: mine.id,
      requestId,
      customerId: id,
      amount,
      response: `{"amount":${amount}}`,
    });
    return { opened, mine, first: first.id, second: second.id, change };
  };

  it('commits every write of a transaction together, or none of them when its work throws', async () => {
    const { opened, mine, first, change } = await twoCustomers();
    const requestId = randomUUID();
    const failure = new Error('the change fails after its writes');
    const failed = opened.transaction(async (tx) => {
      await tx.update(change(first, '5', requestId));
      await tx.enqueueEvent({
        eventId: randomUUID(),
        partnerId: mine.id,
        eventName: 'test-created',
        body: '{}',
        correlationId: undefined,
        callbackUrl: 'http://127.0.0.1:9/',
        raisedAt: Date.now(),
      });
      throw failure;
    });
    await expect(failed).rejects.toBe(failure);
    expect(await opened.readAmount(first)).toBeNull();
    expect(await opened.webhookEvents()).toEqual([]);
    // Its replay record went with it: the same request id applies, and is answered as applied.
    expect(await opened.update(change(first, '6', requestId))).toMatchObject({ kind: 'applied' });
    const committed = await opened.transaction(async (tx) => (await tx.update(change(first, '7'))).kind);
    expect(committed).toBe('applied');
    expect(await opened.readAmount(first)).toBe('7');
  });

  it("keeps the store's other calls out of an open transaction: they wait for it, and are not undone with it", async () => {
    const { opened, first, second, change } = await twoCustomers();
    let resume = () => {};
    const paused = new Promise<void>((resolve) => {
      resume = resolve;
    });
    let entered = () => {};
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const transaction = opened.transaction(async (tx) => {
      await tx.update(change(first, '1'));
      entered();
      // Waiting on I/O, as a PostgreSQL transaction does between statements: the transaction stays open.
      await paused;
      throw new Error('rolled back');
    });
    await inside;
    const settledOutside: string[] = [];
    const outsideWrite = opened.update(change(second, '2')).finally(() => settledOutside.push('write'));
    const outsideRead = opened.readAmount(first).finally(() => settledOutside.push('read'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settledOutside).toEqual([]);
    resume();
    await expect(transaction).rejects.toThrow('rolled back');
    expect(await outsideWrite).toMatchObject({ kind: 'applied' });
    // The read waited for the transaction: it never saw its uncommitted '1'.
    expect(await outsideRead).toBeNull();
    expect(settledOutside).toEqual(['write', 'read']);
    expect(await opened.readAmount(second)).toBe('2');
    expect(await opened.readAmount(first)).toBeNull();
  });

  it('runs transactions one after another, in the order they were asked for', async () => {
    const { opened, first, change } = await twoCustomers();
    const order: string[] = [];
    const slow = opened.transaction(async (tx) => {
      order.push('slow begins');
      await new Promise((resolve) => setTimeout(resolve, 20));
      await tx.update(change(first, '1'));
      order.push('slow ends');
    });
    const quick = opened.transaction(async (tx) => {
      order.push(`quick begins, reads ${await tx.readAmount(first)}`);
      await tx.update(change(first, '2'));
    });
    await Promise.all([slow, quick]);
    expect(order).toEqual(['slow begins', 'slow ends', 'quick begins, reads 1']);
    expect(await opened.readAmount(first)).toBe('2');
  });

  it('refuses a transaction handle used after its transaction ended', async () => {
    const { opened, first } = await twoCustomers();
    let kept: StoreOperations | undefined;
    await opened.transaction(async (tx) => {
      kept = tx;
    });
    await expect(kept?.readAmount(first)).rejects.toThrow('the transaction has ended');
  });
});
