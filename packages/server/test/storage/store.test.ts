import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sweepExpiredNamespaces } from '../../src/namespaces/namespace-admin.js';
import { tokenDigest } from '../../src/partners/namespace-callers.js';
import { readBudgetApplies } from '../../src/storage/budget-applies.js';
import type { CustomerRecord, CustomerUsage, PortfolioSeed } from '../../src/storage/customer-store.js';
import { openPostgresStore } from '../../src/storage/postgres-store.js';
import { openSqliteStore } from '../../src/storage/sqlite-store.js';
import type { Store, StoreOperations } from '../../src/storage/store.js';
import {
  customer,
  partner,
  pausedTransaction,
  registrationOf,
  twoCustomers,
  usePostgres,
} from '../support/store-fixtures.js';
import { scratchDir } from '../support/use-server.js';

// The store's behaviour, the same on both engines: SQLite in a scratch file, PostgreSQL in a
// database of its own on a cluster this file starts.
/** Every batch of a usage read, in order. */
async function batchesOf(batches: AsyncIterable<CustomerUsage[]>): Promise<CustomerUsage[][]> {
  const read: CustomerUsage[][] = [];
  for await (const batch of batches) read.push(batch);
  return read;
}

/** A fresh store, a way to open its data again, and its record of applies (partner, customer, request id, amount). */
interface FreshStore {
  readonly store: Store;
  reopen(): Promise<Store>;
  applies(): Promise<(string | null)[][]>;
}

const postgres = usePostgres('store');
const opened: Store[] = [];
const cleanups: (() => void)[] = [];
const track = (store: Store) => {
  opened.push(store);
  return store;
};

const ENGINES: { name: string; fresh(): Promise<FreshStore> }[] = [
  {
    name: 'SQLite',
    fresh: async () => {
      const scratch = scratchDir();
      cleanups.push(scratch.remove);
      const path = join(scratch.dir, 'store.sqlite');
      let store = track(openSqliteStore(path));
      return {
        store,
        reopen: async () => {
          await store.close();
          store = track(openSqliteStore(path));
          return store;
        },
        applies: async () => {
          await store.close();
          return readBudgetApplies(path).map((apply) => [
            apply.partnerId,
            apply.customerId,
            apply.requestId,
            apply.amount,
          ]);
        },
      };
    },
  },
  {
    name: 'PostgreSQL',
    fresh: async () => {
      const { name, url } = await postgres.database();
      const store = track(await openPostgresStore(url));
      return {
        store,
        reopen: async () => track(await openPostgresStore(url)),
        applies: async () => {
          const rows = await postgres
            .current()
            .psql(
              "SELECT partner_id, customer_id, coalesce(request_id, '-'), coalesce(amount, '-') FROM budget_applies ORDER BY seq",
              name,
            );
          return rows.split('\n').map((row) => row.split('|').map((field) => (field === '-' ? null : field)));
        },
      };
    },
  },
];

afterEach(async () => {
  await Promise.allSettled(opened.splice(0).map((store) => store.close()));
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe.each(ENGINES)('the store on $name', (engine) => {
  it('lists seeded customers in their order, a window at a time, and filters by prefix regardless of case', async () => {
    const { store } = await engine.fresh();
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
    const { store } = await engine.fresh();
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
    expect(await store.customer(mine.id, none.id)).toEqual({ customer: noneRecord, budget: null });
    expect(await store.customer(mine.id, randomUUID())).toBeUndefined();
  });

  it('reads usage in batches, in listing order, skipping customers without usage, each batch when asked for', async () => {
    const customers = Array.from({ length: 7 }, (_, index) =>
      customer(`C${index}`, index % 3 === 1 ? { usage: undefined } : {}, String(index)),
    );
    const mine = partner(customers);
    const { store: opened } = await engine.fresh();
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
    const [kept, cleared, fresh] = [
      customer('Kept', {}, '10'),
      customer('Cleared', {}, '20'),
      customer('Fresh', {}, '30'),
    ];
    const mine = partner([kept, cleared, fresh]);
    const opened = await engine.fresh();
    await opened.store.seed([mine]);
    await opened.store.update({
      partnerId: mine.id,
      requestId: undefined,
      customerId: kept.id,
      amount: '11',
      response: '',
    });
    await opened.store.update({
      partnerId: mine.id,
      requestId: undefined,
      customerId: cleared.id,
      amount: null,
      response: '',
    });
    const store = await opened.reopen();
    await store.seed([partner([kept, cleared, fresh], mine.id)]);
    expect(await Promise.all([kept, cleared, fresh].map(({ id }) => store.readAmount(mine.id, id)))).toEqual([
      '11',
      null,
      '30',
    ]);
    // A customer gone from the config is gone from the store; its budget stays behind, harmless.
    await store.seed([partner([fresh], mine.id)]);
    expect(await store.customer(mine.id, kept.id)).toBeUndefined();
    expect(await store.listCustomers(mine.id, undefined, 0, 10)).toHaveLength(1);
  });

  it('records each applied update once, in order: a replay, a reused id and a failed id are not applies', async () => {
    const seeded = customer('Contoso');
    const mine = partner([seeded]);
    const opened = await engine.fresh();
    const { store } = opened;
    await store.seed([mine]);
    const update = async (requestId: string | undefined, amount: string | null) =>
      (await store.update({ partnerId: mine.id, requestId, customerId: seeded.id, amount, response: '{}' })).kind;
    const id = randomUUID();
    expect(await update(id, '5')).toBe('applied');
    expect(await update(id, '5')).toBe('replayed');
    expect(await update(id, '6')).toBe('requestIdReused');
    expect(await update(undefined, null)).toBe('applied');
    expect(await opened.applies()).toEqual([
      [mine.id, seeded.id, id, '5'],
      [mine.id, seeded.id, null, null],
    ]);
  });
  it("returns an applied update's standing as the update left it: the new budget, the cost, the crossing so far", async () => {
    const seeded = customer(
      'Contoso',
      {
        usage: {
          offer: 'azurePlan',
          currency: 'USD',
          cost: '120.5',
          usdCost: '120.5',
          lastModified: '2024-05-02T00:00:00+00:00',
        },
      },
      '200',
    );
    const mine = partner([seeded, customer('Fabrikam', { usage: undefined })]);
    const { store } = await engine.fresh();
    await store.seed([mine]);
    const applied = await store.update({
      partnerId: mine.id,
      requestId: undefined,
      customerId: seeded.id,
      amount: '100',
      response: '{}',
    });
    expect(applied).toMatchObject({
      kind: 'applied',
      standing: {
        customerId: seeded.id,
        partnerId: mine.id,
        budget: '100',
        usage: { cost: '120.5' },
        crossing: undefined,
      },
    });
    // A customer without a usage-based subscription has no standing.
    const other = mine.customers[1]?.id as string;
    const noUsage = await store.update({
      partnerId: mine.id,
      requestId: randomUUID(),
      customerId: other,
      amount: '1',
      response: '{}',
    });
    expect(noUsage).toEqual({ kind: 'applied', response: '{}', standing: undefined });
  });

  it("returns the standing of the updating partner's customer when another partner has a customer of the same id", async () => {
    const usage = (cost: string) => ({
      usage: {
        offer: 'azurePlan' as const,
        currency: 'USD',
        cost,
        usdCost: cost,
        lastModified: '2024-05-02T00:00:00+00:00',
      },
    });
    const first = customer('Contoso', usage('10'), '200');
    // Another partner (a namespace seeded from the same fixtures) holds the same customer id, and
    // its id sorts first: a lookup by the customer's id alone would find its row first.
    const theirs = partner(
      [{ ...customer('Contoso', usage('999'), '5'), id: first.id }],
      '00000000-0000-4000-8000-000000000001',
    );
    const mine = partner([first], 'ffffffff-ffff-4fff-bfff-fffffffffff1');
    const { store } = await engine.fresh();
    await store.seed([theirs, mine]);
    const applied = await store.update({
      partnerId: mine.id,
      requestId: randomUUID(),
      customerId: first.id,
      amount: '100',
      response: '{}',
    });
    expect(applied).toMatchObject({
      kind: 'applied',
      standing: { customerId: first.id, partnerId: mine.id, budget: '100', usage: { cost: '10' } },
    });
  });

  it("spends a partner's burst, then answers the seconds until a token is back; other partners keep theirs", async () => {
    const { store } = await engine.fresh();
    // One token in 1,000 s: none comes back while the test runs.
    const limits = { requestsPerSecond: 0.001, burst: 2 };
    const take = (partnerId: string) => store.takeToken(partnerId, limits);
    expect([await take('a'), await take('a')]).toEqual([0, 0]);
    const wait = await take('a');
    expect(wait).toBeGreaterThan(900);
    expect(wait).toBeLessThanOrEqual(1000);
    expect(await take('b')).toBe(0);
  });
});

describe.each(ENGINES)('the server secrets on $name', (engine) => {
  it('keep the first value written under a name, replace it only from the value read, and survive a clear and a reopen', async () => {
    const opened = await engine.fresh();
    const { store } = opened;
    expect(await store.secret('one')).toBeUndefined();
    const written = await Promise.all(['a', 'b', 'c'].map((value) => store.keepSecret('one', value)));
    expect(new Set(written).size, 'every writer gets the one kept').toBe(1);
    const [kept] = written as [string];
    expect(await store.keepSecret('one', 'later')).toBe(kept);
    expect(await store.keepSecret('one', 'renewed', 'not what is kept')).toBe(kept);
    expect(await store.keepSecret('one', 'renewed', kept)).toBe('renewed');
    await store.clear();
    expect(await (await opened.reopen()).secret('one')).toBe('renewed');
  });
});

describe.each(ENGINES)('transactions on $name', (engine) => {
  it('commits every write of a transaction together, or none of them when its work throws', async () => {
    const { opened, mine, first, change } = await twoCustomers((await engine.fresh()).store);
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
    expect(await opened.readAmount(mine.id, first)).toBeNull();
    expect(await opened.webhookEvents()).toEqual([]);
    // Its replay record went with it: the same request id applies, and is answered as applied.
    expect(await opened.update(change(first, '6', requestId))).toMatchObject({ kind: 'applied' });
    const committed = await opened.transaction(async (tx) => (await tx.update(change(first, '7'))).kind);
    expect(committed).toBe('applied');
    expect(await opened.readAmount(mine.id, first)).toBe('7');
  });

  it('never shows a write of an open transaction to calls outside it, nor undoes theirs with it', async () => {
    const { opened, mine, first, second, change } = await twoCustomers((await engine.fresh()).store);
    const transaction = pausedTransaction(opened, first, change);
    await transaction.inside;
    const outsideWrite = opened.update(change(second, '2'));
    const outsideRead = opened.readAmount(mine.id, first);
    await new Promise((resolve) => setTimeout(resolve, 20));
    transaction.resume();
    await expect(transaction.ended).rejects.toThrow('rolled back');
    expect(await outsideWrite).toMatchObject({ kind: 'applied' });
    expect(await outsideRead).toBeNull();
    expect(await opened.readAmount(mine.id, second)).toBe('2');
    expect(await opened.readAmount(mine.id, first)).toBeNull();
  });

  it('refuses a transaction handle used after its transaction ended', async () => {
    const { opened, mine, first } = await twoCustomers((await engine.fresh()).store);
    let kept: StoreOperations | undefined;
    await opened.transaction(async (tx) => {
      kept = tx;
    });
    await expect(kept?.readAmount(mine.id, first)).rejects.toThrow('the transaction has ended');
  });
});

describe.each(ENGINES)('namespaces on $name', (engine) => {
  const namespaceOf = (customers: PortfolioSeed['customers'], expiresAt = Date.now() + 60_000) => ({
    partner: partner(customers),
    tokens: [{ sha256: tokenDigest(randomUUID()), kind: 'app+user' as const }],
    expiresAt,
  });
  const update = (partnerId: string, customerId: string, amount: string) => ({
    partnerId,
    requestId: randomUUID(),
    customerId,
    amount,
    response: '{}',
  });

  it("hold the config's customer ids apart, and a seed or a clear replaces the config's partners only", async () => {
    const { store } = await engine.fresh();
    const shared = customer('Shared', {}, '1');
    const config = partner([shared]);
    await store.seed([config]);
    const namespace = namespaceOf([{ ...shared, companyName: 'Shared in the namespace', budget: '5' }]);
    expect(await store.createNamespace(namespace, 10)).toBe('created');
    const nsId = namespace.partner.id;
    await store.update(update(config.id, shared.id, '100'));
    await store.createRegistration(registrationOf(nsId));
    expect(await store.readAmount(config.id, shared.id)).toBe('100');
    expect(await store.readAmount(nsId, shared.id)).toBe('5');
    expect((await store.customer(nsId, shared.id))?.customer.companyName).toBe('Shared in the namespace');

    await store.transaction(async (tx) => {
      await tx.clear();
      await tx.seed([partner([customer('Another')])]);
    });
    expect(await store.customer(config.id, shared.id)).toBeUndefined();
    expect(await store.partner(config.id)).toBeUndefined();
    expect(await store.readAmount(config.id, shared.id)).toBeNull();
    expect(await store.readAmount(nsId, shared.id)).toBe('5');
    expect(await store.registration(nsId)).toBeDefined();
    expect(await store.namespaceByToken(namespace.tokens[0]?.sha256 as string)).toEqual({
      partnerId: nsId,
      kind: 'app+user',
      expiresAt: namespace.expiresAt,
    });
    expect(await store.namespace(nsId)).toEqual({
      id: nsId,
      name: 'Partner',
      expiresAt: namespace.expiresAt,
      customerCount: 1,
    });
    // A config partner is no namespace.
    expect(await store.namespace(config.id)).toBeUndefined();
  });

  it('forget every row of one namespace and nothing of another, and refuse a namespace past the limit', async () => {
    const { store } = await engine.fresh();
    const same = customer(
      'Same',
      {
        usage: {
          offer: 'azurePlan',
          currency: 'USD',
          cost: '50',
          usdCost: '50',
          lastModified: '2024-05-02T00:00:00+00:00',
        },
      },
      '10',
    );
    const [gone, kept] = [namespaceOf([same]), namespaceOf([same])];
    expect(await store.createNamespace(gone, 2)).toBe('created');
    expect(await store.createNamespace(kept, 2)).toBe('created');
    expect(await store.createNamespace(namespaceOf([]), 2)).toBe('full');
    for (const {
      partner: { id },
    } of [gone, kept]) {
      await store.recordCrossing(id, same.id, { billingStart: '2024-05-01T00:00:00+00:00', overBudget: true });
      await store.update(update(id, same.id, '20'));
      await store.createRegistration(registrationOf(id));
      await store.enqueueEvent({
        eventId: randomUUID(),
        partnerId: id,
        eventName: 'test-created',
        body: '{}',
        correlationId: undefined,
        callbackUrl: 'http://127.0.0.1:9/',
        raisedAt: Date.now(),
      });
    }
    await store.forgetPartner(gone.partner.id, 'everything');
    expect(await store.namespace(gone.partner.id)).toBeUndefined();
    expect(await store.namespaceByToken(gone.tokens[0]?.sha256 as string)).toBeUndefined();
    expect(await store.usageStanding(gone.partner.id, same.id)).toBeUndefined();
    expect(await store.registration(gone.partner.id)).toBeUndefined();
    expect(await store.webhookEvents({ partnerId: gone.partner.id })).toEqual([]);
    expect(await store.usageStanding(kept.partner.id, same.id)).toMatchObject({
      budget: '20',
      crossing: { overBudget: true },
    });
    expect(await store.webhookEvents({ partnerId: kept.partner.id })).toHaveLength(1);
    expect(await store.createNamespace(namespaceOf([]), 2)).toBe('created');

    // A reset keeps the namespace and its tokens, and nothing else.
    await store.forgetPartner(kept.partner.id, 'data');
    expect(await store.namespaceByToken(kept.tokens[0]?.sha256 as string)).toBeDefined();
    expect(await store.namespace(kept.partner.id)).toMatchObject({ customerCount: 0 });
    expect(await store.registration(kept.partner.id)).toBeUndefined();
  });

  it('sweep the expired namespaces only', async () => {
    const { store } = await engine.fresh();
    const now = Date.now();
    const [expired, alive] = [namespaceOf([customer('Old')], now - 1), namespaceOf([customer('New')], now + 60_000)];
    await store.createNamespace(expired, 10);
    await store.createNamespace(alive, 10);
    const forgotten: string[] = [];
    const callers = { find: async () => undefined, forget: (id: string) => forgotten.push(id) };
    expect(await sweepExpiredNamespaces(store, callers, () => now)).toBe(1);
    expect(forgotten).toEqual([expired.partner.id]);
    expect(await store.namespace(expired.partner.id)).toBeUndefined();
    expect(await store.namespace(alive.partner.id)).toBeDefined();
    expect(await sweepExpiredNamespaces(store, callers, () => now)).toBe(0);
  });
});
