import { budgetPath, jsonHeaders, randomPartner } from '@usagebudget/server/testing';
import { describe, expect, it } from 'vitest';
import { type Seed, startMock } from '../../src/index.js';
import { customer, other, partner, second, seed, token, unbudgeted, useSeededMock } from '../support/test-controls.js';

const server = useSeededMock();
const { admin, call, getBudget } = server;

describe('the seed', () => {
  it('gives the budgets it lists, and none to the other customers', async () => {
    expect(JSON.parse((await getBudget()).text)).toMatchObject({ amount: 250.5 });
    expect(JSON.parse((await getBudget(second)).text)).toMatchObject({ amount: null });
    expect(JSON.parse((await getBudget(unbudgeted)).text)).toMatchObject({ amount: null });
  });

  // The seed's customers and usage, read back as from a server started with it as its config.
  const get = async (path: string) => {
    const response = await call({ path, headers: jsonHeaders(token) });
    expect(response.status, path).toBe(200);
    return { text: response.text, body: JSON.parse(response.text) };
  };

  it('gives the customer list it lists', async () => {
    const list = await get('/v1/customers');
    expect(list.body.items.map((item: { id: string }) => item.id)).toEqual([customer, second, unbudgeted]);
    expect(list.body.items[0].companyProfile.companyName).toBe('Seeded Ltd');
  });

  it("gives a customer's usage summary, every digit of its cost", async () => {
    const summary = await get(`/v1/customers/${second}/usagesummary`);
    expect(summary.body).toMatchObject({
      resourceId: second,
      currencyCode: 'EUR',
      billingStartDate: '2024-05-01T00:00:00+00:00',
    });
    // Every digit of the seeded cost reaches the wire.
    expect(summary.text).toContain('"totalCost":12.50000000000000000001');
  });

  it('gives the usage records, with their percent used derived as from a config', async () => {
    const records = await get('/v1/customers/usagerecords');
    expect(
      records.body.items.map((item: { resourceId: string; percentUsed: number }) => [
        item.resourceId,
        item.percentUsed,
      ]),
    ).toEqual([
      [customer, 80],
      [second, 0],
      [unbudgeted, 0],
    ]);
  });

  it("gives the partner usage summary's counts", async () => {
    expect((await get('/v1/usagesummary')).body).toMatchObject({
      customersTrendingOver: 1,
      customersOverBudget: 0,
      customersWithUsageBasedSubscription: 3,
    });
  });

  it('is refused at the start with every bad field named', async () => {
    const bad = {
      partners: [
        {
          ...partner,
          customers: [
            'not-a-guid',
            { id: customer, cost: 28.5, budget: -1 },
            { id: second, currency: 'euro', offer: 'none', cost: '1' },
          ],
        },
        { ...other, tokens: ['bad token'] },
      ],
    };
    const started = startMock({ seed: bad as unknown as Seed });
    await expect(started).rejects.toThrow(/^seed: 6 problems:/);
    const error = (await started.catch((caught: unknown) => caught)) as { problems: string[] };
    expect(error.problems).toEqual([
      'partners[0].customers[0] must be a GUID',
      'partners[0].customers[1].budget must be a number of at least 0, or null for no budget',
      'partners[0].customers[1].cost must be a string of decimal digits such as "28.82860766744404945074": a JSON number loses digits',
      'partners[0].customers[2].currency is usage, which a customer without a usage-based subscription (offer none) has not',
      'partners[0].customers[2].cost is usage, which a customer without a usage-based subscription (offer none) has not',
      'partners[1].tokens[0] must be a bearer token (letters, digits and -._~+/, then any =)',
    ]);
  });

  it('is replaced by PUT /_mock/seed: new partners and customers serve, old tokens do not', async () => {
    const newcomer = randomPartner('Newcomer');
    const [newCustomer] = newcomer.customers as [string];
    const replacement = { partners: [{ ...newcomer, customers: [{ id: newCustomer, cost: '9', budget: 7 }] }] };
    expect((await admin('PUT', '/seed', replacement)).status).toBe(204);
    try {
      expect(JSON.parse((await admin('GET', '/seed')).text)).toEqual(replacement);
      const headers = jsonHeaders(newcomer.tokens[0]);
      const answer = await call({ path: budgetPath(newCustomer), headers });
      expect(JSON.parse(answer.text)).toMatchObject({ amount: 7 });
      const records = await call({ path: '/v1/customers/usagerecords', headers });
      expect(JSON.parse(records.text).items).toMatchObject([{ resourceId: newCustomer, percentUsed: 128.57 }]);
      expect((await getBudget()).status).toBe(401);
    } finally {
      expect((await admin('PUT', '/seed', seed)).status).toBe(204);
    }
    expect((await getBudget()).status).toBe(200);
  });

  it('is kept when a replacement is invalid, and the 400 lists every problem', async () => {
    const response = await admin('PUT', '/seed', { partners: [], colour: 'red' });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text)).toMatchObject({
      code: 'InvalidSeed',
      data: ['the config has unknown keys: colour', 'partners must list at least one partner'],
    });
    expect((await getBudget()).status).toBe(200);
  });
});
