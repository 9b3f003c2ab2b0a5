import { randomUUID } from 'node:crypto';
import { budgetStanding, percentUsed, sumDecimals } from '@usagebudget/openapi/rules';
import { describe, expect, it } from 'vitest';
import type { CustomerConfig, PartnerConfig } from '../../src/partners/config-format.js';
import { parseConfig } from '../../src/partners/config-reader.js';
import {
  budgetPath,
  demoConfig,
  demoPartner,
  jsonHeaders,
  type RawRequest,
  type RawResponse,
  randomPartner,
} from '../../src/testing/index.js';
import { sendConforming } from '../support/spec-conformance.js';
import { useServer } from '../support/use-server.js';

// The source document's records, and the cases of the spec's rules around them.
const customers = {
  uk: {
    id: randomUUID(),
    name: 'Modern Azure Customer UK',
    currency: 'GBP',
    cost: '27.23292827625710931604',
    usdCost: '33.280000000000001044',
    budget: 97,
    lastModified: '2019-09-17T17:08:11.1433333+00:00',
  },
  se: {
    id: randomUUID(),
    name: 'Modern Azure Customer SE',
    currency: 'SEK',
    cost: '120.5682999999995904716',
    usdCost: '12.39999999999999985235',
    budget: 20,
  },
  legacy: {
    id: randomUUID(),
    name: 'LEGACY AZURE CUSTOMER SE',
    offer: 'legacy',
    cost: '10.10000000000000000001',
    lastModified: '2019-08-01T23:00:16.57+00:00',
  },
  legacyOver: { id: randomUUID(), name: 'Legacy over', offer: 'legacy', cost: '5.5', budget: 5 },
  trending: { id: randomUUID(), name: 'Nearly there', cost: '15.999', budget: 20 },
  zeroBudget: { id: randomUUID(), name: 'Zero budget', cost: '0.01', budget: 0 },
  noBudget: { id: randomUUID(), name: 'No budget', currency: 'EUR', cost: '412.77360021458339691162' },
  dormant: { id: randomUUID(), name: 'No usage-based subscription', offer: 'none', budget: 50 },
  patched: { id: randomUUID(), name: 'Patched', currency: 'JPY', cost: '1500', budget: 3000 },
} satisfies Record<string, CustomerConfig>;

const partner: PartnerConfig = {
  id: randomUUID(),
  name: 'Usage partner',
  tokens: ['usage-token', { token: 'usage-app-only-token', kind: 'app-only' }],
  currencyLocale: 'fr-FR',
  billingPeriod: { start: '2019-09-01T00:00:00+00:00', end: '2019-10-01T00:00:00+00:00' },
  customers: (Object.values(customers) as CustomerConfig[]).map((customer) =>
    customer.offer === 'legacy' ? { ...customer, currency: 'fr-FR' } : customer,
  ),
};
const stranger = randomPartner('Stranger');
const server = useServer({ partners: [partner, stranger, ...demoConfig.partners] }, { db: ':memory:' });

const TOKEN = 'usage-token';
const call = (request: RawRequest) => sendConforming(server.current.url, request);
const get = (path: string, token = TOKEN) => call({ path, headers: jsonHeaders(token) });
const json = <T = Record<string, unknown>>(response: RawResponse) => JSON.parse(response.text) as T;
const summaryPath = (id: string) => `/v1/customers/${id}/usagesummary`;
interface UsageRecord {
  resourceId: string;
  resourceName: string;
  percentUsed: number;
  isUpgraded: boolean;
  budget: { amount?: number };
}
const records = async (token = TOKEN) =>
  json<{ totalCount: number; items: UsageRecord[] }>(await get('/v1/customers/usagerecords', token));
const recordOf = async (id: string) => (await records()).items.find(({ resourceId }) => resourceId === id);

describe("a customer's usage summary", () => {
  it('reports the budget next to the cost, every digit of it, in the billing currency and in USD', async () => {
    const response = await get(summaryPath(customers.uk.id));
    expect(response.status).toBe(200);
    expect(response.text).toContain('"totalCost":27.23292827625710931604,');
    expect(response.text).toContain('"usdTotalCost":33.280000000000001044,');
    expect(json(response)).toEqual({
      budget: { amount: 97, attributes: { objectType: 'SpendingBudget' } },
      resourceId: customers.uk.id,
      resourceName: 'Modern Azure Customer UK',
      billingStartDate: '2019-09-01T00:00:00+00:00',
      billingEndDate: '2019-10-01T00:00:00+00:00',
      totalCost: Number(customers.uk.cost),
      currencyCode: 'GBP',
      usdTotalCost: Number(customers.uk.usdCost),
      lastModifiedDate: '2019-09-17T17:08:11.1433333+00:00',
      links: { self: { uri: summaryPath(customers.uk.id), method: 'GET', headers: [] } },
      attributes: { objectType: 'CustomerUsageSummary' },
    });
  });

  it('reports a legacy offer in its currency locale, and no budget as a budget without amount', async () => {
    const legacy = json(await get(summaryPath(customers.legacy.id.toUpperCase())));
    expect(legacy).toMatchObject({ currencyLocale: 'fr-FR', budget: { attributes: { objectType: 'SpendingBudget' } } });
    expect(legacy).not.toHaveProperty('currencyCode');
    expect(legacy).not.toHaveProperty('usdTotalCost');
    expect(legacy.budget).not.toHaveProperty('amount');
    expect((legacy.links as { self: { uri: string } }).self.uri).toBe(summaryPath(customers.legacy.id));
  });

  it('answers 404 NoUsageBasedSubscription for a customer without one, 404 60003, 403 20002 and 400 900118 as for budgets', async () => {
    const dormant = await get(summaryPath(customers.dormant.id));
    expect([dormant.status, json(dormant).code]).toEqual([404, 'NoUsageBasedSubscription']);
    expect([(await get(summaryPath(randomUUID()))).status, json(await get(summaryPath(randomUUID()))).code]).toEqual([
      404, 60003,
    ]);
    const foreign = await get(summaryPath(stranger.customers[0] as string));
    expect([foreign.status, json(foreign).code]).toEqual([403, 20002]);
    const notGuid = await get(summaryPath('not-a-guid'));
    expect([notGuid.status, json(notGuid).code]).toEqual([400, 900118]);
  });
});

describe('the usage records', () => {
  it('list every customer with a usage-based subscription, in order, with percentUsed by the spec', async () => {
    const response = await get('/v1/customers/usagerecords');
    expect(response.text).toContain('"totalCost":120.5682999999995904716,');
    const { totalCount, items } = json<{ totalCount: number; items: UsageRecord[] }>(response);
    const listed = (Object.values(customers) as CustomerConfig[]).filter((customer) => customer.offer !== 'none');
    expect(totalCount).toBe(listed.length);
    expect(items.map(({ resourceId }) => resourceId)).toEqual(listed.map(({ id }) => id));
    const percent = Object.fromEntries(items.map((item) => [item.resourceName, item.percentUsed]));
    expect(percent).toMatchObject({
      'Modern Azure Customer UK': 28.08,
      'Modern Azure Customer SE': 602.84,
      'LEGACY AZURE CUSTOMER SE': 0,
      'Legacy over': 110,
      'Nearly there': 80,
      'Zero budget': 0,
      'No budget': 0,
    });
    expect(items.find((item) => item.resourceName === 'LEGACY AZURE CUSTOMER SE')?.isUpgraded).toBe(false);
    expect(items.find((item) => item.resourceName === 'No budget')?.isUpgraded).toBe(true);
    expect(json(response).links).toEqual({ self: { uri: '/v1/customers/usagerecords', method: 'GET', headers: [] } });
  });

  it('follow a PATCHed budget: the next record and summary use it', async () => {
    const { id } = customers.patched;
    expect(await recordOf(id)).toMatchObject({ percentUsed: 50, budget: { amount: 3000 } });
    await call({ method: 'PATCH', path: budgetPath(id), headers: jsonHeaders(TOKEN), body: '{"amount": 1200}' });
    expect(await recordOf(id)).toMatchObject({ percentUsed: 125, budget: { amount: 1200 } });
    expect(json(await get(summaryPath(id))).budget).toEqual({
      amount: 1200,
      attributes: { objectType: 'SpendingBudget' },
    });
    await call({ method: 'PATCH', path: budgetPath(id), headers: jsonHeaders(TOKEN), body: '{"amount": null}' });
    expect(await recordOf(id)).toMatchObject({ percentUsed: 0, budget: {} });
    await call({ method: 'PATCH', path: budgetPath(id), headers: jsonHeaders(TOKEN), body: '{"amount": 3000}' });
  });
});

describe("the partner's usage summary", () => {
  it('counts customers over budget and trending over it, and totals the legacy offers exactly', async () => {
    const response = await get('/v1/usagesummary');
    expect(response.text).toContain('"totalCost":15.60000000000000000001,');
    expect(json(response)).toEqual({
      // SE, legacy over, zero budget.
      customersOverBudget: 3,
      // Nearly there: 15.999 of 20 is 79.995%, which rounds to 80.
      customersTrendingOver: 1,
      customersWithUsageBasedSubscription: 8,
      resourceId: partner.id,
      resourceName: 'Usage partner',
      billingStartDate: '2019-09-01T00:00:00+00:00',
      billingEndDate: '2019-10-01T00:00:00+00:00',
      totalCost: 15.6,
      currencyLocale: 'fr-FR',
      lastModifiedDate: expect.any(String),
      links: { self: { uri: '/v1/usagesummary', method: 'GET', headers: [] } },
      attributes: { objectType: 'PartnerUsageSummary' },
    });
  });

  it('changes its counts when a budget changes', async () => {
    const { id } = customers.patched;
    const before = json(await get('/v1/usagesummary'));
    await call({ method: 'PATCH', path: budgetPath(id), headers: jsonHeaders(TOKEN), body: '{"amount": 1000}' });
    const after = json(await get('/v1/usagesummary'));
    expect(after.customersOverBudget).toBe((before.customersOverBudget as number) + 1);
    await call({ method: 'PATCH', path: budgetPath(id), headers: jsonHeaders(TOKEN), body: '{"amount": 3000}' });
  });

  it('computes the demo portfolio by the spec rules, from the config it was seeded with', async () => {
    const usage = (parseConfig(demoConfig).partners[0]?.customers ?? []).filter(({ offer }) => offer !== 'none');
    const budgetOf = ({ budget }: (typeof usage)[number]) => (budget === null ? null : String(budget));
    const standings = usage.map((customer) => budgetStanding(customer.cost ?? '0', budgetOf(customer)));
    const count = (standing: string) => standings.filter((found) => found === standing).length;
    const response = await get('/v1/usagesummary', demoPartner.token);
    expect(json(response)).toMatchObject({
      customersWithUsageBasedSubscription: usage.length,
      customersOverBudget: count('overBudget'),
      customersTrendingOver: count('trendingOver'),
    });
    const legacyTotal = sumDecimals(usage.filter(({ offer }) => offer === 'legacy').map(({ cost }) => cost ?? '0'));
    expect(response.text).toContain(`"totalCost":${legacyTotal},`);
    const { items } = await records(demoPartner.token);
    expect(items.map(({ resourceId, percentUsed: percent }) => [resourceId, percent])).toEqual(
      usage.map((customer) => [customer.id, Number(percentUsed(customer.cost ?? '0', budgetOf(customer)))]),
    );
  });
});

describe('token kinds', () => {
  it.each(['/v1/customers/usagerecords', '/v1/usagesummary', summaryPath(customers.uk.id)])(
    'refuses an app-only token on %s with 403 TokenKindNotAccepted, as the spec says',
    async (path) => {
      const response = await get(path, 'usage-app-only-token');
      expect(response.status).toBe(403);
      expect(json(response)).toEqual({
        code: 'TokenKindNotAccepted',
        description:
          "This operation accepts app+user tokens only, and the request's token is an app-only token. Call again with a token of a signed-in user (scope https://api.partnercenter.microsoft.com/user_impersonation).",
        data: ['app+user'],
        source: 'usagebudget-server',
      });
    },
  );

  it('accepts app-only tokens on the budget and the customer list', async () => {
    for (const path of [budgetPath(customers.uk.id), '/v1/customers?size=1']) {
      expect((await get(path, 'usage-app-only-token')).status, path).toBe(200);
    }
    const patched = await call({
      method: 'PATCH',
      path: budgetPath(customers.uk.id),
      headers: jsonHeaders('usage-app-only-token'),
      body: '{"amount": 97}',
    });
    expect(patched.status).toBe(200);
  });

  it('checks the token kind before the customer: an app-only caller learns nothing of it', async () => {
    for (const id of [randomUUID(), 'not-a-guid', stranger.customers[0] as string]) {
      expect(json(await get(summaryPath(id), 'usage-app-only-token')).code).toBe('TokenKindNotAccepted');
    }
  });

  it('answers 401 before the token kind, for a token nobody has', async () => {
    expect((await get('/v1/usagesummary', 'no-such-token')).status).toBe(401);
  });
});
