import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readBudgetApplies } from '../../src/storage/budget-applies.js';
import type { CustomerRecord, CustomerUsage, PortfolioSeed } from '../../src/storage/customer-store.js';
import { openSqliteStore } from '../../src/storage/sqlite-store.js';
import type { Store } from '../../src/storage/store.js';
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
afterEach(() => store?.close());

describe('the SQLite store, in memory', () => {
  it('lists seeded customers in their order, a window at a time, and filters by prefix regardless of case', () => {
    store = openSqliteStore(':memory:');
    const names = ['Ölund AB', 'Contoso', 'contoso east', 'Fabrikam', 'ΣΙΓΜΑ'];
    const seeded = names.map((name, index) =>
      customer(name, index === 3 ? { associatedPartnerId: 'Reseller-X', indirectProvider: 'CSP-1' } : {}),
    );
    const mine = partner(seeded);
    store.seed([mine, partner([customer('Contoso elsewhere')])]);
    const ids = (records: CustomerRecord[]) => records.map(({ companyName }) => companyName);
    expect(ids(store.listCustomers(mine.id, undefined, 0, 10))).toEqual(names);
    expect(ids(store.listCustomers(mine.id, undefined, 1, 2))).toEqual(['Contoso', 'contoso east']);
    expect(ids(store.listCustomers(mine.id, undefined, 5, 2))).toEqual([]);
    expect(ids(store.listCustomers(mine.id, { field: 'companyName', prefix: 'CONTOSO' }, 0, 10))).toEqual([
      'Contoso',
      'contoso east',
    ]);
    expect(ids(store.listCustomers(mine.id, { field: 'companyName', prefix: 'öl' }, 0, 10))).toEqual(['Ölund AB']);
    expect(ids(store.listCustomers(mine.id, { field: 'companyName', prefix: 'σιγ' }, 0, 10))).toEqual(['ΣΙΓΜΑ']);
    expect(ids(store.listCustomers(mine.id, { field: 'companyName', prefix: '%' }, 0, 10))).toEqual([]);
    expect(ids(store.listCustomers(mine.id, { field: 'domain', prefix: 'fab' }, 0, 10))).toEqual(['Fabrikam']);
    expect(ids(store.listCustomers(mine.id, { field: 'associatedPartnerId', prefix: 'reseller-' }, 0, 10))).toEqual([
      'Fabrikam',
    ]);
    expect(ids(store.listCustomers(mine.id, { field: 'indirectProvider', prefix: 'csp' }, 0, 10))).toEqual([
      'Fabrikam',
    ]);
    expect(store.partner(mine.id)).toEqual({
      id: mine.id,
      name: 'Partner',
      billingStart: mine.billingStart,
      billingEnd: mine.billingEnd,
      currencyLocale: 'en-US',
    });
  });

  it('keeps costs as decimal text, and lists usage only for customers with a usage-based subscription', () => {
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
    store.seed([mine]);
    const { budget: _richBudget, ...richRecord } = rich;
    expect([...store.usageBatches(mine.id)]).toEqual([[{ customer: richRecord, budget: '97' }]]);
    expect(store.usageCount(mine.id)).toBe(1);
    const { budget: _noBudget, ...noneRecord } = none;
    expect(store.customer(none.id)).toEqual({ customer: noneRecord, budget: null });
    expect(store.customer(randomUUID())).toBeUndefined();
  });

  it('reads usage in batches, in listing order, skipping customers without usage, each batch when asked for', () => {
    const customers = Array.from({ length: 7 }, (_, index) =>
      customer(`C${index}`, index % 3 === 1 ? { usage: undefined } : {}, String(index)),
    );
    const mine = partner(customers);
    const opened = openSqliteStore(':memory:');
    store = opened;
    opened.seed([mine]);
    const batches = opened.usageBatches(mine.id, 2)[Symbol.iterator]();
    const names = (batch: CustomerUsage[]) =>
      batch.map(({ customer: { companyName }, budget }) => [companyName, budget]);
    expect(names(batches.next().value ?? [])).toEqual([
      ['C0', '0'],
      ['C2', '2'],
    ]);
    // A budget changed between two batches shows in the next one.
    const changed = customers[3]?.id as string;
    opened.update({ partnerId: mine.id, requestId: undefined, customerId: changed, amount: '33', response: '' });
    const rest = [...{ [Symbol.iterator]: () => batches }];
    expect(rest.map(names)).toEqual([
      [
        ['C3', '33'],
        ['C5', '5'],
      ],
      [['C6', '6']],
    ]);
    expect(opened.usageCount(mine.id)).toBe(5);
    // The count follows the customers: a clear, a new seed.
    opened.clear();
    expect(opened.usageCount(mine.id)).toBe(0);
    opened.seed([partner(customers.slice(0, 3), mine.id)]);
    expect(opened.usageCount(mine.id)).toBe(2);
  });

  it('seeds a budget only where none was ever recorded: an update, or a clear, survives the next seed', () => {
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
      store.seed([mine]);
      store.update({ partnerId: mine.id, requestId: undefined, customerId: kept.id, amount: '11', response: '' });
      store.update({ partnerId: mine.id, requestId: undefined, customerId: cleared.id, amount: null, response: '' });
      store.close();
      store = openSqliteStore(path);
      store.seed([partner([kept, cleared, fresh], mine.id)]);
      expect([kept, cleared, fresh].map(({ id }) => store?.readAmount(id))).toEqual(['11', null, '30']);
      // A customer gone from the config is gone from the store; its budget stays behind, harmless.
      store.seed([partner([fresh], mine.id)]);
      expect(store.customer(kept.id)).toBeUndefined();
      expect(store.listCustomers(mine.id, undefined, 0, 10)).toHaveLength(1);
    } finally {
      store?.close();
      store = undefined;
      scratch.remove();
    }
  });

  it('records each applied update once, in order: a replay, a reused id and a failed id are not applies', () => {
    const scratch = scratchDir();
    try {
      const path = join(scratch.dir, 'applies.sqlite');
      const seeded = customer('Contoso');
      const mine = partner([seeded]);
      store = openSqliteStore(path);
      store.seed([mine]);
      const update = (requestId: string | undefined, amount: string | null) =>
        store?.update({ partnerId: mine.id, requestId, customerId: seeded.id, amount, response: '{}' }).kind;
      const id = randomUUID();
      expect(update(id, '5')).toBe('applied');
      expect(update(id, '5')).toBe('replayed');
      expect(update(id, '6')).toBe('requestIdReused');
      expect(update(undefined, null)).toBe('applied');
      store.close();
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
