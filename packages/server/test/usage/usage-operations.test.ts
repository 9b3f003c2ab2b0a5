import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpError } from '../../src/contract/faults.js';
import type { OperationCall, Reply } from '../../src/http/operation.js';
import { StreamedBody } from '../../src/http/streamed-body.js';
import type { ResolvedPartner } from '../../src/partners/config-format.js';
import type { PortfolioSeed } from '../../src/storage/customer-store.js';
import { openSqliteStore } from '../../src/storage/sqlite-store.js';
import type { Store } from '../../src/storage/store.js';
import { usageOperations } from '../../src/usage/usage-operations.js';

const usage = (
  cost: string,
  lastModified = '2024-05-01T12:00:00+00:00',
  offer: 'azurePlan' | 'legacy' = 'azurePlan',
) => ({
  offer,
  currency: offer === 'legacy' ? 'sv-SE' : 'SEK',
  cost,
  usdCost: undefined,
  lastModified,
});
const customer = (name: string, record: ReturnType<typeof usage> | undefined, budget: string | null) => ({
  id: randomUUID() as string,
  companyName: name,
  domain: `${name}.onmicrosoft.com`,
  relationship: 'reseller',
  associatedPartnerId: undefined,
  indirectProvider: undefined,
  usage: record,
  budget,
});
const seed = (customers: PortfolioSeed['customers']): PortfolioSeed => ({
  id: randomUUID(),
  name: 'Partner',
  billingStart: '2024-05-01T00:00:00+00:00',
  billingEnd: '2024-06-01T00:00:00+00:00',
  currencyLocale: 'sv-SE',
  customers,
});

let store: Store;
beforeEach(() => {
  store = openSqliteStore(':memory:');
});
afterEach(() => store.close());

/** Runs an operation as the front door would call it, and parses its JSON (a streamed body read to its end). */
async function run(operationId: string, partnerId: string, customerId?: string): Promise<Record<string, unknown>> {
  const call = {
    headers: {},
    partner: { id: partnerId } as ResolvedPartner,
    tokenKind: 'app+user',
    customerId,
    query: new URLSearchParams(),
    selfUri: customerId ? `/v1/customers/${customerId}/usagesummary` : '/v1/usagesummary',
    sentRequestId: undefined,
    body: undefined,
    signal: new AbortController().signal,
  } as unknown as OperationCall;
  const operation = usageOperations(store)[operationId];
  if (!operation) throw new Error(`no operation ${operationId}`);
  const { body }: Reply = await operation.handle(call);
  let text = '';
  if (body instanceof StreamedBody) for await (const piece of body.pieces) text += piece;
  else text = String(body);
  return JSON.parse(text) as Record<string, unknown>;
}

describe('usage against budgets', () => {
  it('computes percentUsed from the budget stored now, so an update changes the next record', async () => {
    const spender = customer('spender', usage('120.5682999999995904716'), '20');
    const partner = seed([spender]);
    await store.seed([partner]);
    const percent = async () =>
      ((await run('listCustomerUsageRecords', partner.id)).items as { percentUsed: number }[])[0]?.percentUsed;
    expect(await percent()).toBe(602.84);
    await store.update({
      partnerId: partner.id,
      requestId: undefined,
      customerId: spender.id,
      amount: '1000',
      response: '',
    });
    expect(await percent()).toBe(12.06);
    await store.update({
      partnerId: partner.id,
      requestId: undefined,
      customerId: spender.id,
      amount: null,
      response: '',
    });
    expect(await percent()).toBe(0);
  });

  it("counts the partner's customers over and trending over budget, and totals its legacy offers", async () => {
    const partner = seed([
      customer('over', usage('20.01'), '20'),
      customer('zero', usage('0.01'), '0'),
      customer('trending', usage('16'), '20'),
      customer('within', usage('15.99'), '20'),
      customer('none', usage('99'), null),
      customer('legacy', usage('0.1', '2024-05-01T23:30:00+00:00', 'legacy'), '1'),
      customer('legacy2', usage('0.2', '2024-05-02T00:00:00+02:00', 'legacy'), null),
      customer('no usage', undefined, '5'),
    ]);
    await store.seed([partner]);
    expect(await run('getPartnerUsageSummary', partner.id)).toMatchObject({
      customersOverBudget: 2,
      customersTrendingOver: 1,
      customersWithUsageBasedSubscription: 7,
      totalCost: 0.3,
      currencyLocale: 'sv-SE',
      // The latest instant, whatever the offsets: 23:30Z is after 00:00+02:00 (22:00Z).
      lastModifiedDate: '2024-05-01T23:30:00+00:00',
      resourceId: partner.id,
    });
  });

  it('reports a partner without usage as zero, last modified at the start of its billing period', async () => {
    const partner = seed([customer('no usage', undefined, null)]);
    await store.seed([partner]);
    expect(await run('getPartnerUsageSummary', partner.id)).toMatchObject({
      customersOverBudget: 0,
      customersTrendingOver: 0,
      customersWithUsageBasedSubscription: 0,
      totalCost: 0,
      lastModifiedDate: partner.billingStart,
    });
    expect(await run('listCustomerUsageRecords', partner.id)).toMatchObject({ totalCount: 0, items: [] });
  });

  it('answers 404 NoUsageBasedSubscription for the summary of a customer without one', async () => {
    const dormant = customer('dormant', undefined, '5');
    const partner = seed([dormant]);
    await store.seed([partner]);
    const error = await run('getCustomerUsageSummary', partner.id, dormant.id).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 404, body: { code: 'NoUsageBasedSubscription' } });
  });
});
